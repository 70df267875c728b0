package dev.firmament.rollout;

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
 * Who a rollout reaches: the registered devices and never-seen group MACs that its waves take in, by the decider's own
 * membership rule. Their rows are kept by {@link RolloutProgressStore}, in the caller's transaction.
 */
@ApplicationScoped
class RolloutMembers {

    private final EntityManager entityManager;
    private final RolloutProgressStore deviceProgress;
    private final TargetingSnapshots snapshots;
    private final InstantSource clock;

    RolloutMembers(EntityManager entityManager, RolloutProgressStore deviceProgress, TargetingSnapshots snapshots,
            InstantSource clock) {
        this.deviceProgress = deviceProgress;
        this.entityManager = entityManager;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    /**
     * A device a rollout reaches, in which wave. {@code lastSeen} is null for a member of one of the rollout's groups
     * that has never checked in: it is counted all the same, so that a canary group whose devices have not registered
     * yet holds the waves after it back instead of counting as an empty, finished wave.
     */
    record Reached(String mac, int wave, String version, DeviceReport.Client client, Long chipSize, Long freeSpace,
            Instant lastSeen, boolean blocked, boolean pinned) {

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
                        "select d.mac, d.version, d.sketch_md5, d.free_space, d.last_seen, d.blocked, d.client,"
                                + " d.chip_size from devices d"
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
                reached.add(new Reached(mac, membership.wave(), (String) r[1], DeviceReport.Client.of((String) r[6]),
                        SqlFilter.longOrNull(r[7]), SqlFilter.longOrNull(r[3]), SqlFilter.instant(r[4]), (Boolean) r[5],
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
                    reached.add(new Reached(mac, wave, null, null, null, null, null, false, pinned.contains(mac)));
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
        deviceProgress.reconcile(tenantId, rollout.id, macs, waveOf);
        return macs.length;
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
