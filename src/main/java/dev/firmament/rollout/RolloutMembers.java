package dev.firmament.rollout;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import dev.firmament.db.SqlFilter;
import dev.firmament.rollout.RolloutProgress.Counts;
import dev.firmament.targeting.DeliveryWindow;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.RolloutSelection;
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
    private final InstantSource clock;

    RolloutMembers(EntityManager entityManager, TargetingSnapshots snapshots, InstantSource clock) {
        this.entityManager = entityManager;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    /**
     * A device a rollout reaches, in which wave. {@code lastSeen} is null for a member of one of the rollout's groups
     * that has never checked in: it is counted all the same, so that a canary group whose devices have not registered
     * yet holds the waves after it back instead of counting as an empty, finished wave.
     */
    record Reached(String mac, int wave, String version, Long freeSpace, Instant lastSeen, boolean blocked,
            boolean pinned) {

        boolean registered() {
            return lastSeen != null;
        }
    }

    /**
     * Every device the rollout reaches, by the decider's own membership rule against the current snapshot with this
     * rollout in it (a draft as if it started now): registered devices of its product, and members of the groups it
     * names that have not checked in yet. Pinned and blocked devices are included and flagged; they get nothing from
     * the rollout. Reads the devices and groups as committed, not as the snapshot last saw them.
     */
    List<Reached> reach(String tenantId, Rollout rollout, List<RolloutWave> waves, Instant now) {
        RolloutEntry entry = entry(rollout, waves, now);
        TargetingSnapshot snapshot = snapshots.forTenant(tenantId).with(entry);
        Map<String, Set<Long>> groupsByMac = groupsByMac(tenantId);
        Set<String> pinned = new HashSet<>(
                stringColumn(entityManager.createNativeQuery("select mac from pins where tenant_id = ?1")
                        .setParameter(1, tenantId).getResultList()));
        List<Reached> reached = new ArrayList<>();
        List<?> rows = entityManager
                .createNativeQuery(
                        "select d.mac, d.version, d.sketch_md5, d.free_space, d.last_seen, d.blocked from devices d"
                                + " where d.tenant_id = ?1 and coalesce(d.assigned_product_id, d.product_id) = ?2")
                .setParameter(1, tenantId).setParameter(2, rollout.productId).getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            String mac = (String) r[0];
            DeviceReport report = new DeviceReport(DeviceReport.Client.ESP8266, mac, DeviceReport.Mode.FIRMWARE, null,
                    (String) r[1], (String) r[2], null, null, null, null, null, null, null);
            UpdateDecider.Membership membership = UpdateDecider.rolloutMembership(report, snapshot, rollout.productId,
                    groupsByMac.getOrDefault(mac, Set.of()));
            if (membership != null && membership.rollout().id() == rollout.id) {
                reached.add(new Reached(mac, membership.wave(), (String) r[1],
                        r[3] == null ? null : ((Number) r[3]).longValue(), SqlFilter.instant(r[4]), (Boolean) r[5],
                        pinned.contains(mac)));
            }
        }
        Set<Long> named = new HashSet<>(entry.eligibleGroups());
        entry.waves().forEach(w -> named.addAll(w.groupIds()));
        if (!named.isEmpty()) {
            Set<String> registeredMembers = new HashSet<>(stringColumn(entityManager
                    .createNativeQuery("select d.mac from devices d where d.tenant_id = ?1 and exists (select 1 from"
                            + " mac_group_members m where m.tenant_id = d.tenant_id and m.mac = d.mac)")
                    .setParameter(1, tenantId).getResultList()));
            groupsByMac.forEach((mac, groups) -> {
                if (registeredMembers.contains(mac) || Collections.disjoint(groups, named)
                        || (!entry.eligibleGroups().isEmpty()
                                && Collections.disjoint(groups, entry.eligibleGroups()))) {
                    return; // registered (for this product or another), or not in a group this rollout names
                }
                int wave = RolloutSelection.waveOf(entry, mac, groups);
                if (wave >= 0) {
                    reached.add(new Reached(mac, wave, null, null, null, false, pinned.contains(mac)));
                }
            });
        }
        reached.sort(java.util.Comparator.comparing(Reached::mac));
        return reached;
    }

    /**
     * Brings the rows of a started rollout in line with whom it reaches now: a device that became a member (it checked
     * in, joined a group, or its version became eligible) is added as pending; a pending device that is no longer one
     * is removed; devices this rollout takes over from one that decides after it are superseded there. Rows with
     * progress are kept. Returns how many devices the rollout reaches.
     */
    int reconcile(String tenantId, Rollout rollout, List<RolloutWave> waves) {
        List<Reached> reached = reach(tenantId, rollout, waves, clock.instant()).stream()
                .filter(r -> !r.blocked() && !r.pinned()).toList();
        String[] macs = reached.stream().map(Reached::mac).toArray(String[]::new);
        Integer[] waveOf = reached.stream().map(Reached::wave).toArray(Integer[]::new);
        entityManager
                .createNativeQuery("delete from rollout_devices where tenant_id = ?1 and rollout_id = ?2"
                        + " and state = 'pending' and not (mac = any(cast(?3 as varchar[])))")
                .setParameter(1, tenantId).setParameter(2, rollout.id).setParameter(3, macs).executeUpdate();
        if (macs.length == 0) {
            return 0;
        }
        entityManager.createNativeQuery("insert into rollout_devices (tenant_id, rollout_id, mac, wave)"
                + " select ?1, ?2, m, w from unnest(cast(?3 as varchar[]), cast(?4 as int[])) as t(m, w)"
                + " on conflict (tenant_id, rollout_id, mac) do update set wave = excluded.wave, state = 'pending'"
                + " where rollout_devices.state = 'superseded' or (rollout_devices.state = 'pending'"
                + " and rollout_devices.wave <> excluded.wave)").setParameter(1, tenantId).setParameter(2, rollout.id)
                .setParameter(3, macs).setParameter(4, waveOf).executeUpdate();
        entityManager.createNativeQuery("update rollout_devices set state = 'superseded' where tenant_id = ?1"
                + " and rollout_id <> ?2 and mac = any(cast(?3 as varchar[])) and state in ('pending', 'offered')")
                .setParameter(1, tenantId).setParameter(2, rollout.id).setParameter(3, macs).executeUpdate();
        return macs.length;
    }

    /** A rollout's device with what its hold depends on; {@code lastSeen} is null for one that never checked in. */
    record HeldRow(String mac, int wave, String state, Instant lastSeen, Long freeSpace, boolean blocked,
            boolean pinned) {
    }

    /** Every device of the rollout except superseded ones, with its device's last report. */
    List<HeldRow> held(String tenantId, long rolloutId) {
        List<HeldRow> held = new ArrayList<>();
        for (Object row : entityManager.createNativeQuery("select rd.mac, rd.wave, rd.state, d.last_seen,"
                + " d.free_space, coalesce(d.blocked, false), exists (select 1 from pins p where p.tenant_id ="
                + " rd.tenant_id and p.mac = rd.mac) from rollout_devices rd left join devices d on d.tenant_id ="
                + " rd.tenant_id and d.mac = rd.mac where rd.tenant_id = ?1 and rd.rollout_id = ?2 and rd.state <>"
                + " 'superseded' order by rd.wave, rd.mac").setParameter(1, tenantId).setParameter(2, rolloutId)
                .getResultList()) {
            Object[] r = (Object[]) row;
            held.add(new HeldRow((String) r[0], ((Number) r[1]).intValue(), (String) r[2], SqlFilter.instant(r[3]),
                    r[4] == null ? null : ((Number) r[4]).longValue(), (Boolean) r[5], (Boolean) r[6]));
        }
        return held;
    }

    /**
     * The MACs of the product's devices that already run {@code version} (by version or firmware MD5), or, with
     * {@code orNewer}, a newer version: the rollout leaves them out.
     */
    List<String> alreadyOn(String tenantId, java.util.UUID productId, String version, String md5, boolean orNewer) {
        List<String> macs = new ArrayList<>();
        for (Object row : entityManager.createNativeQuery("select d.mac, d.version, d.sketch_md5 from devices d"
                + " where d.tenant_id = ?1 and coalesce(d.assigned_product_id, d.product_id) = ?2 order by d.mac")
                .setParameter(1, tenantId).setParameter(2, productId).getResultList()) {
            Object[] r = (Object[]) row;
            String reported = (String) r[1];
            int order = reported == null ? -1 : dev.firmament.targeting.VersionComparator.compare(reported, version);
            if ((md5 != null && md5.equals(r[2])) || order == 0 || (orNewer && order > 0)) {
                macs.add((String) r[0]);
            }
        }
        return macs;
    }

    private Map<String, Set<Long>> groupsByMac(String tenantId) {
        Map<String, Set<Long>> groups = new HashMap<>();
        for (Object row : entityManager
                .createNativeQuery("select mac, group_id from mac_group_members where tenant_id = ?1")
                .setParameter(1, tenantId).getResultList()) {
            Object[] r = (Object[]) row;
            groups.computeIfAbsent((String) r[0], m -> new HashSet<>()).add(((Number) r[1]).longValue());
        }
        return groups;
    }

    private static List<String> stringColumn(List<?> rows) {
        return rows.stream().map(String.class::cast).toList();
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
        raw.forEach((wave, v) -> counts.put(wave, new Counts(v[0], v[1], v[2], v[3], v[4], v[5], v[6])));
        return counts;
    }

    /**
     * Devices that downloaded the image and have not come back with it within {@code timeout} have failed: either they
     * went silent (a bricked or boot-looping device) or they still report the old image. Returns how many.
     */
    int failOverdue(String tenantId, long rolloutId, Instant now, Duration timeout) {
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

    List<RolloutProgress.Member> list(String tenantId, long rolloutId, List<String> states, Integer wave, int limit,
            int offset) {
        List<?> rows = new SqlFilter("tenant_id = ?", tenantId).and("rollout_id = ?", rolloutId)
                .and("state = any(cast(? as varchar[]))", states.isEmpty() ? null : states.toArray(String[]::new))
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

    /**
     * The decider's view of a rollout, built from the rows being written (not yet visible to the snapshot loader). A
     * draft is seen as if it started at {@code now}.
     */
    static RolloutEntry entry(Rollout rollout, List<RolloutWave> waves, Instant now) {
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
                rollout.priority, rollout.startedAt == null ? now : rollout.startedAt,
                List.copyOf(rollout.eligibleVersions), Set.of(rollout.eligibleGroupIds), List.copyOf(waveEntries),
                rollout.openWaves, window, Set.of(), cap, rollout.allowDowngrade);
    }
}
