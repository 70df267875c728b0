package dev.firmament.rollout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import dev.firmament.db.SqlFilter;
import dev.firmament.device.DeviceActivityLock;
import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.device.DeviceActivityRecorder.Download;
import dev.firmament.device.DeviceEvent;
import dev.firmament.device.DeviceEventType;
import dev.firmament.device.RolloutActivity;
import dev.firmament.rollout.RolloutProgress.Counts;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;

/**
 * Every statement on {@code rollout_devices}: the progress of each device in each rollout.
 *
 * <p>
 * The rollout side of a batch of device activity is written in the activity writer's transaction: a check-in makes the
 * device a member of its rollout (pending, or offered when the rollout offered it the image); a complete firmware
 * download moves it to downloaded, or to quarantined when it is the {@code loopDownloads}-th without an install; an
 * installed event completes it. Failures are inferred from what devices report: a device that checks in on another
 * image after the install timeout has failed ({@code still-old-image}), and one that installed and later checks in as a
 * member again (it no longer runs the release: its bootloader rolled back, or somebody flashed it) has reverted. Both
 * count against the failure threshold, and a reverted device is offered nothing more by the rollout. Rows of rollouts
 * that ended are left as they were.
 */
@ApplicationScoped
class RolloutProgressStore implements RolloutActivity {

    private final EntityManager entityManager;
    private final int loopDownloads;

    RolloutProgressStore(EntityManager entityManager, RolloutsConfig config) {
        this.entityManager = entityManager;
        this.loopDownloads = config.updateLoopDownloads();
    }

    private static final String MEMBER = "insert into rollout_devices (tenant_id, rollout_id, mac, wave, state,"
            + " offered_at) values (?, ?, ?, ?, ?, ?) on conflict (tenant_id, rollout_id, mac) do update set"
            + " wave = excluded.wave, state = case when rollout_devices.state in ('pending', 'superseded')"
            + " then excluded.state else rollout_devices.state end, offered_at = coalesce(rollout_devices.offered_at,"
            + " excluded.offered_at) where rollout_devices.wave <> excluded.wave or (rollout_devices.state in"
            + " ('pending', 'superseded') and rollout_devices.state <> excluded.state)";

    /** A failed device that downloads again stays failed (its failure counted once) unless the download loops. */
    private static final String DOWNLOADED = "update rollout_devices rd set downloads = rd.downloads + 1,"
            + " downloaded_at = ?, state = case when rd.downloads + 1 >= ? then 'quarantined' when rd.state = 'failed'"
            + " then 'failed' else 'downloaded' end, failure = case when rd.downloads + 1 >= ? then 'update-loop' when"
            + " rd.state = 'failed' then rd.failure end, finished_at = case when rd.downloads + 1 >= ? then"
            + " cast(? as timestamptz) when rd.state = 'failed' then rd.finished_at end from rollouts r where"
            + " rd.tenant_id = ? and rd.mac = ? and"
            + " r.tenant_id = rd.tenant_id and r.id = rd.rollout_id and r.release_id = ? and r.state in ('running',"
            + " 'paused', 'completed') and rd.state in ('pending', 'offered', 'downloaded', 'failed')"
            + " returning rd.rollout_id, rd.state, rd.downloads";

    private static final String INSTALLED = "update rollout_devices rd set state = 'installed', finished_at = ?,"
            + " failure = null from rollouts r where rd.tenant_id = ? and rd.mac = ? and r.tenant_id = rd.tenant_id"
            + " and r.id = rd.rollout_id and r.release_id = ? and rd.state in ('pending', 'offered', 'downloaded',"
            + " 'failed')";

    /** Devices that check in as members of a rollout they had installed: they no longer run its release. */
    private static final String REVERTED = "update rollout_devices rd set state = 'reverted', failure = 'reverted',"
            + " finished_at = t.at from rollouts r, unnest(cast(? as varchar[]), cast(? as bigint[]),"
            + " cast(? as timestamptz[])) as t(mac, rollout_id, at) where rd.tenant_id = ? and rd.mac = t.mac and"
            + " rd.rollout_id = t.rollout_id and rd.state = 'installed' and r.tenant_id = rd.tenant_id and r.id ="
            + " rd.rollout_id and r.state in ('running', 'paused', 'completed') returning rd.mac, rd.rollout_id,"
            + " r.release_id, t.at";

    private static final String STILL_OLD_IMAGE = "update rollout_devices rd set state = 'failed', failure ="
            + " 'still-old-image', finished_at = ? from rollouts r where rd.tenant_id = ? and rd.mac = ? and"
            + " r.tenant_id = rd.tenant_id and r.id = rd.rollout_id and r.release_id = ? and r.state in ('running',"
            + " 'paused', 'completed') and rd.state = 'downloaded'";

    /**
     * Writes the rollout progress of {@code records} and the rollout side of {@code events}; adds a {@code quarantined}
     * or {@code reverted} event to {@code events} for each device quarantined or reverted. Returns whether any was (the
     * decision snapshots must learn it: the rollout offers them nothing more).
     */
    @Override
    public boolean write(Connection c, String tenantId, List<Object> records, List<DeviceEvent> events)
            throws SQLException {
        boolean quarantined = reverted(c, tenantId, records, events);
        try (PreparedStatement member = c.prepareStatement(MEMBER);
                PreparedStatement downloaded = c.prepareStatement(DOWNLOADED)) {
            boolean members = false;
            for (Object record : records) {
                if (record instanceof CheckIn checkIn && checkIn.decision().rolloutId() != null) {
                    Decision decision = checkIn.decision();
                    boolean offered = decision.outcome() == Outcome.OFFER
                            && decision.source() == Decision.Source.ROLLOUT
                            && checkIn.report().mode() != DeviceReport.Mode.VERSION;
                    member.setString(1, tenantId);
                    member.setLong(2, decision.rolloutId());
                    member.setString(3, checkIn.report().mac());
                    member.setInt(4, decision.wave());
                    member.setString(5, offered ? "offered" : "pending");
                    member.setTimestamp(6, offered ? Timestamp.from(checkIn.at()) : null);
                    member.addBatch();
                    members = true;
                }
            }
            if (members) {
                member.executeBatch();
            }
            for (Object record : records) {
                if (record instanceof Download d && d.kind() == ImageKind.FIRMWARE && d.whole()) {
                    Timestamp at = Timestamp.from(d.at());
                    downloaded.setTimestamp(1, at);
                    downloaded.setInt(2, loopDownloads);
                    downloaded.setInt(3, loopDownloads);
                    downloaded.setInt(4, loopDownloads);
                    downloaded.setTimestamp(5, at);
                    downloaded.setString(6, tenantId);
                    downloaded.setString(7, d.mac());
                    downloaded.setLong(8, d.releaseId());
                    try (ResultSet rs = downloaded.executeQuery()) {
                        while (rs.next()) {
                            if ("quarantined".equals(rs.getString(2))) {
                                quarantined = true;
                                events.add(new DeviceEvent(d.mac(), DeviceEventType.QUARANTINED, d.releaseId(), d.at(),
                                        Map.of("rolloutId", rs.getLong(1), "reason", "update-loop", "downloads",
                                                rs.getInt(3))));
                            }
                        }
                    }
                }
            }
        }
        applyVerdicts(c, tenantId, events, DeviceEventType.INSTALLED, INSTALLED);
        applyVerdicts(c, tenantId, events, DeviceEventType.FAILED, STILL_OLD_IMAGE);
        return quarantined;
    }

    private static boolean reverted(Connection c, String tenantId, List<Object> records, List<DeviceEvent> events)
            throws SQLException {
        List<CheckIn> members = records.stream().filter(r -> r instanceof CheckIn checkIn
                && checkIn.decision().rolloutId() != null && checkIn.report().mac() != null).map(CheckIn.class::cast)
                .toList();
        if (members.isEmpty()) {
            return false;
        }
        boolean any = false;
        try (PreparedStatement reverted = c.prepareStatement(REVERTED)) {
            reverted.setArray(1, c.createArrayOf("varchar", members.stream().map(m -> m.report().mac()).toArray()));
            reverted.setArray(2,
                    c.createArrayOf("bigint", members.stream().map(m -> m.decision().rolloutId()).toArray()));
            reverted.setArray(3,
                    c.createArrayOf("timestamptz", members.stream().map(m -> Timestamp.from(m.at())).toArray()));
            reverted.setString(4, tenantId);
            try (ResultSet rs = reverted.executeQuery()) {
                while (rs.next()) {
                    any = true;
                    events.add(new DeviceEvent(rs.getString(1), DeviceEventType.REVERTED, rs.getLong(3),
                            rs.getTimestamp(4).toInstant(),
                            Map.of("rolloutId", rs.getLong(2), "reason", "reports-another-image-after-install")));
                }
            }
        }
        return any;
    }

    /**
     * Moves the rollout rows that the check-ins' {@code installed} or {@code failed} verdicts (a device that still runs
     * another image after the install timeout) decide: {@code sql} takes the event's time, the tenant, the MAC and the
     * release, in that order.
     */
    private static void applyVerdicts(Connection c, String tenantId, List<DeviceEvent> events, DeviceEventType verdict,
            String sql) throws SQLException {
        boolean any = false;
        try (PreparedStatement update = c.prepareStatement(sql)) {
            for (DeviceEvent event : events) {
                if (event.type() == verdict && event.releaseId() != null) {
                    update.setTimestamp(1, Timestamp.from(event.at()));
                    update.setString(2, tenantId);
                    update.setString(3, event.mac());
                    update.setLong(4, event.releaseId());
                    update.addBatch();
                    any = true;
                }
            }
            if (any) {
                update.executeBatch();
            }
        }
    }

    /**
     * Brings a started rollout's rows in line with the devices it reaches ({@code macs}, each in {@code waves}):
     * pending rows of devices it no longer reaches go, new ones come in as pending, and the same devices are superseded
     * in the rollouts that decide after this one. Rows with progress are kept.
     */
    void reconcile(String tenantId, long rolloutId, String[] macs, Integer[] waves) {
        DeviceActivityLock.take(entityManager, tenantId);
        entityManager
                .createNativeQuery("delete from rollout_devices where tenant_id = ?1 and rollout_id = ?2"
                        + " and state = 'pending' and not (mac = any(cast(?3 as varchar[])))")
                .setParameter(1, tenantId).setParameter(2, rolloutId).setParameter(3, macs).executeUpdate();
        if (macs.length == 0) {
            return;
        }
        entityManager.createNativeQuery("insert into rollout_devices (tenant_id, rollout_id, mac, wave)"
                + " select ?1, ?2, m, w from unnest(cast(?3 as varchar[]), cast(?4 as int[])) as t(m, w)"
                + " on conflict (tenant_id, rollout_id, mac) do update set wave = excluded.wave, state = 'pending'"
                + " where rollout_devices.state = 'superseded' or (rollout_devices.state = 'pending'"
                + " and rollout_devices.wave <> excluded.wave)").setParameter(1, tenantId).setParameter(2, rolloutId)
                .setParameter(3, macs).setParameter(4, waves).executeUpdate();
        entityManager.createNativeQuery("update rollout_devices set state = 'superseded' where tenant_id = ?1"
                + " and rollout_id <> ?2 and mac = any(cast(?3 as varchar[])) and state in ('pending', 'offered')")
                .setParameter(1, tenantId).setParameter(2, rolloutId).setParameter(3, macs).executeUpdate();
    }

    /** A rollout's device with what its hold depends on; {@code lastSeen} is null for one that never checked in. */
    record HeldRow(String mac, int wave, String state, Instant lastSeen, DeviceReport.Client client, Long chipSize,
            Long freeSpace, boolean blocked, boolean pinned) {
    }

    /** Every device of the rollout except superseded ones, with its device's last report. */
    List<HeldRow> held(String tenantId, long rolloutId) {
        List<HeldRow> held = new ArrayList<>();
        for (Object row : entityManager.createNativeQuery("select rd.mac, rd.wave, rd.state, d.last_seen,"
                + " d.client, d.chip_size, d.free_space, coalesce(d.blocked, false), exists (select 1 from pins p"
                + " where p.tenant_id ="
                + " rd.tenant_id and p.mac = rd.mac) from rollout_devices rd left join devices d on d.tenant_id ="
                + " rd.tenant_id and d.mac = rd.mac where rd.tenant_id = ?1 and rd.rollout_id = ?2 and rd.state <>"
                + " 'superseded' order by rd.wave, rd.mac").setParameter(1, tenantId).setParameter(2, rolloutId)
                .getResultList()) {
            Object[] r = (Object[]) row;
            held.add(new HeldRow((String) r[0], ((Number) r[1]).intValue(), (String) r[2], SqlFilter.instant(r[3]),
                    DeviceReport.Client.of((String) r[4]), SqlFilter.longOrNull(r[5]), SqlFilter.longOrNull(r[6]),
                    (Boolean) r[7], (Boolean) r[8]));
        }
        return held;
    }

    /** Device counts per wave position. */
    Map<Integer, Counts> counts(String tenantId, long rolloutId) {
        return counts(tenantId, List.of(rolloutId)).getOrDefault(rolloutId, Map.of());
    }

    /** The counts of several rollouts in one query: a list page reads them all at once, not one query a row. */
    Map<Long, Map<Integer, Counts>> counts(String tenantId, java.util.Collection<Long> rolloutIds) {
        if (rolloutIds.isEmpty()) {
            return Map.of();
        }
        Map<Long, Map<Integer, long[]>> raw = new HashMap<>();
        List<?> rows = entityManager
                .createNativeQuery("select rollout_id, wave, state, count(*) from rollout_devices where tenant_id = ?1"
                        + " and rollout_id in (?2) and state <> 'superseded' group by rollout_id, wave, state")
                .setParameter(1, tenantId).setParameter(2, rolloutIds).getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            long[] values = raw.computeIfAbsent(((Number) r[0]).longValue(), id -> new HashMap<>())
                    .computeIfAbsent(((Number) r[1]).intValue(), w -> new long[RolloutDeviceState.values().length]);
            values[RolloutDeviceState.of((String) r[2]).orElseThrow().ordinal()] = ((Number) r[3]).longValue();
        }
        Map<Long, Map<Integer, Counts>> counts = new HashMap<>();
        raw.forEach((rollout, waves) -> {
            Map<Integer, Counts> byWave = new HashMap<>();
            waves.forEach((wave, v) -> byWave.put(wave, new Counts(v[0], v[1], v[2], v[3], v[4], v[5], v[6])));
            counts.put(rollout, byWave);
        });
        return counts;
    }

    /**
     * Devices that downloaded the image and have not come back with it within {@code timeout} have failed: either they
     * went silent (a bricked or boot-looping device) or they still report the old image. Returns how many.
     */
    int failOverdue(String tenantId, long rolloutId, Instant now, Duration timeout) {
        DeviceActivityLock.take(entityManager, tenantId);
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

    /** Devices of one rollout that reached one failure state since the last announcement, with a sample of MACs. */
    record Unannounced(long rolloutId, RolloutDeviceState state, long devices, List<String> macs,
            Map<String, Long> reasons) {
    }

    /** How many MACs an announcement names; the count says how many there are in all. */
    static final int ANNOUNCED_MACS = 50;

    /**
     * Failed, reverted and quarantined devices not yet announced in that state, finished after {@code since}, per
     * rollout and state; marks them announced, so that a second call (on any replica) returns none of them again.
     */
    List<Unannounced> takeUnannounced(String tenantId, Instant since) {
        DeviceActivityLock.take(entityManager, tenantId);
        List<?> rows = entityManager.createNativeQuery("update rollout_devices set alerted_state = state where"
                + " tenant_id = ?1 and state in ('failed', 'quarantined', 'reverted') and alerted_state is distinct"
                + " from state and finished_at > ?2 returning rollout_id, state, mac, failure")
                .setParameter(1, tenantId).setParameter(2, java.sql.Timestamp.from(since)).getResultList();
        Map<List<Object>, long[]> counts = new java.util.LinkedHashMap<>();
        Map<List<Object>, List<String>> macs = new HashMap<>();
        Map<List<Object>, Map<String, Long>> reasons = new HashMap<>();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            RolloutDeviceState state = RolloutDeviceState.of((String) r[1]).orElseThrow();
            // Reverted devices failed too (their bootloader rolled back): announced with the failed ones.
            List<Object> key = List.of(((Number) r[0]).longValue(),
                    state == RolloutDeviceState.REVERTED ? RolloutDeviceState.FAILED : state);
            counts.computeIfAbsent(key, k -> new long[1])[0]++;
            List<String> sample = macs.computeIfAbsent(key, k -> new ArrayList<>());
            if (sample.size() < ANNOUNCED_MACS) {
                sample.add((String) r[2]);
            }
            reasons.computeIfAbsent(key, k -> new java.util.TreeMap<>())
                    .merge(r[3] == null ? state.code() : (String) r[3], 1L, Long::sum);
        }
        List<Unannounced> found = new ArrayList<>();
        counts.forEach((key, n) -> found.add(new Unannounced((Long) key.get(0), (RolloutDeviceState) key.get(1), n[0],
                macs.get(key).stream().sorted().toList(), reasons.get(key))));
        return found;
    }

    List<RolloutProgress.Member> list(String tenantId, long rolloutId, List<String> states, Integer wave,
            Position after, int limit) {
        SqlFilter filter = new SqlFilter("tenant_id = ?", tenantId).and("rollout_id = ?", rolloutId)
                .and("state = any(cast(? as varchar[]))", states.isEmpty() ? null : states.toArray(String[]::new))
                .and("wave = ?", wave);
        if (after != null) {
            filter.andEach("(wave, mac) > (?, ?)", after.wave(), after.mac());
        }
        List<?> rows = filter.query(entityManager,
                "select mac, wave, state, downloads, failure, offered_at, downloaded_at, finished_at from rollout_devices",
                " order by wave, mac limit " + limit).getResultList();
        List<RolloutProgress.Member> members = new ArrayList<>();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            members.add(new RolloutProgress.Member((String) r[0], ((Number) r[1]).intValue(), (String) r[2],
                    ((Number) r[3]).intValue(), (String) r[4], SqlFilter.instant(r[5]), SqlFilter.instant(r[6]),
                    SqlFilter.instant(r[7])));
        }
        return members;
    }

    /** A place in a rollout's devices, which are listed by wave and then MAC. */
    record Position(int wave, String mac) {
        boolean before(int otherWave, String otherMac) {
            return wave < otherWave || (wave == otherWave && mac.compareTo(otherMac) < 0);
        }
    }
}
