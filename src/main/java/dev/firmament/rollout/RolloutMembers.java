package dev.firmament.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import dev.firmament.db.SqlFilter;
import dev.firmament.rollout.RolloutProgress.Counts;
import dev.firmament.targeting.DeliveryWindow;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.TargetingSnapshot;
import dev.firmament.targeting.TargetingSnapshot.RolloutEntry;
import dev.firmament.targeting.TargetingSnapshot.RolloutPhase;
import dev.firmament.targeting.TargetingSnapshot.WaveEntry;
import dev.firmament.targeting.TargetingSnapshots;
import dev.firmament.targeting.UpdateDecider;

/**
 * The devices of a rollout ({@code rollout_devices}): who it reaches, and how far each got. Rows are written in the
 * caller's transaction; every statement names the tenant.
 */
@ApplicationScoped
class RolloutMembers {

    private final EntityManager entityManager;
    private final TargetingSnapshots snapshots;

    RolloutMembers(EntityManager entityManager, TargetingSnapshots snapshots) {
        this.entityManager = entityManager;
        this.snapshots = snapshots;
    }

    /**
     * Records every registered device the starting rollout reaches as pending, with its wave, using the decider's own
     * membership rule against the current snapshot plus this rollout. Devices it takes over from a rollout that now
     * decides after it are marked superseded there. Returns how many devices it reaches.
     */
    int enrol(String tenantId, Rollout rollout, List<RolloutWave> waves) {
        TargetingSnapshot snapshot = snapshots.forTenant(tenantId).with(entry(rollout, waves));
        List<?> rows = entityManager.createNativeQuery("select d.mac, d.version, d.sketch_md5 from devices d"
                + " where d.tenant_id = ?1 and coalesce(d.assigned_product_id, d.product_id) = ?2 and not d.blocked"
                + " and not exists (select 1 from pins p where p.tenant_id = d.tenant_id and p.mac = d.mac)")
                .setParameter(1, tenantId).setParameter(2, rollout.productId).getResultList();
        List<String> macs = new ArrayList<>();
        List<Integer> waveOf = new ArrayList<>();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            String mac = (String) r[0];
            DeviceReport report = new DeviceReport(DeviceReport.Client.ESP8266, mac, DeviceReport.Mode.FIRMWARE, null,
                    (String) r[1], (String) r[2], null, null, null, null, null, null, null);
            UpdateDecider.Membership membership = UpdateDecider.rolloutMembership(report, snapshot, rollout.productId,
                    snapshot.groupsOf(mac));
            if (membership != null && membership.rollout().id() == rollout.id) {
                macs.add(mac);
                waveOf.add(membership.wave());
            }
        }
        if (macs.isEmpty()) {
            return 0;
        }
        String[] macArray = macs.toArray(String[]::new);
        entityManager
                .createNativeQuery("insert into rollout_devices (tenant_id, rollout_id, mac, wave)"
                        + " select ?1, ?2, m, w from unnest(cast(?3 as varchar[]), cast(?4 as int[])) as t(m, w)"
                        + " on conflict do nothing")
                .setParameter(1, tenantId).setParameter(2, rollout.id).setParameter(3, macArray)
                .setParameter(4, waveOf.toArray(Integer[]::new)).executeUpdate();
        entityManager.createNativeQuery("update rollout_devices set state = 'superseded' where tenant_id = ?1"
                + " and rollout_id <> ?2 and mac = any(cast(?3 as varchar[])) and state in ('pending', 'offered')")
                .setParameter(1, tenantId).setParameter(2, rollout.id).setParameter(3, macArray).executeUpdate();
        return macs.size();
    }

    /** Device counts per wave position. */
    Map<Integer, Counts> counts(String tenantId, long rolloutId) {
        Map<Integer, long[]> raw = new HashMap<>();
        List<?> rows = entityManager
                .createNativeQuery("select wave, state, count(*) from rollout_devices where"
                        + " tenant_id = ?1 and rollout_id = ?2 and state <> 'superseded' group by wave, state")
                .setParameter(1, tenantId).setParameter(2, rolloutId).getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            long[] values = raw.computeIfAbsent(((Number) r[0]).intValue(),
                    w -> new long[RolloutProgress.DEVICE_STATES.size()]);
            values[RolloutProgress.DEVICE_STATES.indexOf((String) r[1])] = ((Number) r[2]).longValue();
        }
        Map<Integer, Counts> counts = new HashMap<>();
        raw.forEach((wave, v) -> counts.put(wave, new Counts(v[0], v[1], v[2], v[3], v[4], v[5])));
        return counts;
    }

    /**
     * Devices that downloaded the image and have not come back with it within {@code timeout} have failed: either they
     * went silent (a bricked or boot-looping device) or they still report the old image. Returns how many.
     */
    int failOverdue(String tenantId, long rolloutId, Instant now, java.time.Duration timeout) {
        return entityManager
                .createNativeQuery("update rollout_devices rd set state = 'failed', finished_at = ?4,"
                        + " failure = case when exists (select 1 from devices d where d.tenant_id = rd.tenant_id and"
                        + " d.mac = rd.mac and d.last_seen > rd.downloaded_at) then 'still-old-image' else 'silent' end"
                        + " where rd.tenant_id = ?1 and rd.rollout_id = ?2 and rd.state = 'downloaded'"
                        + " and rd.downloaded_at < ?3")
                .setParameter(1, tenantId).setParameter(2, rolloutId)
                .setParameter(3, java.sql.Timestamp.from(now.minus(timeout)))
                .setParameter(4, java.sql.Timestamp.from(now)).executeUpdate();
    }

    List<RolloutProgress.Member> list(String tenantId, long rolloutId, String state, Integer wave, int limit,
            int offset) {
        List<?> rows = new SqlFilter("tenant_id = ?", tenantId).and("rollout_id = ?", rolloutId).and("state = ?", state)
                .and("wave = ?", wave)
                .query(entityManager,
                        "select mac, wave, state, downloads, failure, offered_at, downloaded_at,"
                                + " finished_at from rollout_devices",
                        " order by wave, mac limit " + limit + " offset " + offset)
                .getResultList();
        List<RolloutProgress.Member> members = new ArrayList<>();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            members.add(new RolloutProgress.Member((String) r[0], ((Number) r[1]).intValue(), (String) r[2],
                    ((Number) r[3]).intValue(), (String) r[4], SqlFilter.instant(r[5]), SqlFilter.instant(r[6]),
                    SqlFilter.instant(r[7])));
        }
        return members;
    }

    /** The decider's view of a rollout, built from the rows being written (not yet visible to the snapshot loader). */
    static RolloutEntry entry(Rollout rollout, List<RolloutWave> waves) {
        List<WaveEntry> waveEntries = new ArrayList<>();
        Integer cap = null;
        for (RolloutWave wave : waves) {
            waveEntries.add(WaveEntry.of(wave.groupIds, wave.percent));
            if (wave.position < rollout.openWaves) {
                cap = wave.maxConcurrentDownloads;
            }
        }
        DeliveryWindow window = rollout.windowDays == null ? null
                : DeliveryWindow.of(rollout.windowDays, rollout.windowFrom, rollout.windowTo, rollout.windowZone);
        return new RolloutEntry(rollout.id, rollout.productId, rollout.releaseId, RolloutPhase.RUNNING,
                rollout.priority, rollout.startedAt, List.copyOf(rollout.eligibleVersions),
                Set.of(rollout.eligibleGroupIds), List.copyOf(waveEntries), rollout.openWaves, window, Set.of(), cap,
                rollout.allowDowngrade);
    }
}
