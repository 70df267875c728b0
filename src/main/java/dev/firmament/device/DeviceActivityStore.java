package dev.firmament.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;

import dev.firmament.device.CheckInOutcomes.Outcomes;
import dev.firmament.device.CheckInOutcomes.Pending;
import dev.firmament.device.CheckInOutcomes.StoredDevice;
import dev.firmament.device.DeviceActivityRecorder.CheckIn;
import dev.firmament.device.DeviceActivityRecorder.Download;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.FleetChanges;

/**
 * Writes one tenant's part of a batch of device activity in one transaction: the device registry ({@code devices},
 * enrolment in the key's default group), the history ({@code device_events}), the hourly totals
 * ({@code device_activity_hourly}), the journal entries applied ({@code device_activity_journal_applied}), and, through
 * {@link RolloutActivity}, the rollout progress. Each statement covers the whole batch, whatever its size.
 */
@ApplicationScoped
class DeviceActivityStore {

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final RolloutActivity rollouts;
    private final Duration installTimeout;
    private final io.micrometer.core.instrument.Counter checkInsRecorded;
    private final io.micrometer.core.instrument.Counter downloadsRecorded;
    private final java.util.Map<DeviceEventType, io.micrometer.core.instrument.Counter> failures = new java.util.EnumMap<>(
            DeviceEventType.class);

    DeviceActivityStore(AgroalDataSource dataSource, ObjectMapper json, RolloutActivity rollouts, DevicesConfig config,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.dataSource = dataSource;
        this.json = json;
        this.rollouts = rollouts;
        this.installTimeout = config.installTimeout();
        // Beside firmament_device_checkins_total (answered), what reached the database: answered minus recorded is
        // what is still queued or journaled, never what was lost (that is firmament_devices_activity_dropped_total).
        String description = "Device activity records committed to the database (a replayed journal entry counts once)";
        this.checkInsRecorded = io.micrometer.core.instrument.Counter.builder("firmament.devices.activity.recorded")
                .tag("kind", "checkin").description(description).register(meters);
        this.downloadsRecorded = io.micrometer.core.instrument.Counter.builder("firmament.devices.activity.recorded")
                .tag("kind", "download").description(description).register(meters);
        for (DeviceEventType type : List.of(DeviceEventType.FAILED, DeviceEventType.QUARANTINED,
                DeviceEventType.REVERTED)) {
            failures.put(type, failureCounter(meters, type.code()));
        }
    }

    /**
     * Devices that failed an install, were quarantined or reverted, as committed; the rollout engine counts the devices
     * it fails for going silent into {@code failed} too.
     */
    private static io.micrometer.core.instrument.Counter failureCounter(
            io.micrometer.core.instrument.MeterRegistry meters, String kind) {
        return io.micrometer.core.instrument.Counter.builder("firmament.devices.failures").tag("kind", kind)
                .description("Devices that failed an install (failed), were quarantined or reverted").register(meters);
    }

    /**
     * Writes {@code arrived}; with {@code journalEntry}, only if that entry was not written before (a replay after a
     * crash). Returns whether the tenant's targeting data changed (a device enrolled in a group, quarantined or
     * reverted).
     */
    boolean write(String tenantId, List<Object> arrived, String journalEntry) throws SQLException {
        // Rows are written in MAC order, the same on every replica (the tenant's activity lock is what keeps batches
        // from deadlocking; the order keeps waits short against people's changes). The sort is stable: a device's own
        // records keep their order.
        List<Object> records = new ArrayList<>(arrived);
        records.sort(
                Comparator.comparing(DeviceActivityStore::macOf, Comparator.nullsFirst(Comparator.naturalOrder())));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                DeviceActivityLock.take(c, tenantId);
                if (journalEntry != null && !firstTimeApplied(c, journalEntry)) {
                    c.rollback();
                    return false; // committed before a crash that left its segment behind
                }
                Set<String> macs = new java.util.LinkedHashSet<>();
                for (Object record : records) {
                    if (record instanceof CheckIn checkIn) {
                        macs.add(checkIn.report().mac());
                    }
                }
                Outcomes outcomes = CheckInOutcomes.of(records, known(c, tenantId, macs), installTimeout);
                upsert(c, tenantId, outcomes.changed(), outcomes.pending());
                touch(c, tenantId, outcomes.seenOnly());
                boolean enrolled = enroll(c, tenantId, outcomes.enrolments());
                List<DeviceEvent> events = new ArrayList<>(outcomes.events());
                boolean quarantined = rollouts.write(c, tenantId, records, events);
                insertEvents(c, tenantId, events);
                countHourly(c, tenantId, records);
                if (enrolled || quarantined) {
                    try (PreparedStatement notify = c.prepareStatement("select pg_notify(?, ?)")) {
                        notify.setString(1, FleetChanges.CHANNEL);
                        notify.setString(2, tenantId);
                        notify.execute();
                    }
                }
                c.commit();
                long checkIns = records.stream().filter(CheckIn.class::isInstance).count();
                checkInsRecorded.increment(checkIns);
                downloadsRecorded.increment(records.size() - checkIns);
                for (DeviceEvent event : events) {
                    io.micrometer.core.instrument.Counter failed = failures.get(event.type());
                    if (failed != null) {
                        failed.increment();
                    }
                }
                return enrolled || quarantined;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean enroll(Connection c, String tenantId, List<CheckIn> newDevices) throws SQLException {
        if (newDevices.isEmpty()) {
            return false;
        }
        try (PreparedStatement enroll = c.prepareStatement("insert into mac_group_members (tenant_id, group_id, mac)"
                + " values (?, ?, ?) on conflict do nothing")) {
            for (CheckIn checkIn : newDevices) {
                enroll.setString(1, tenantId);
                enroll.setLong(2, checkIn.defaultGroupId());
                enroll.setString(3, checkIn.report().mac());
                enroll.addBatch();
            }
            enroll.executeBatch();
        }
        return true;
    }

    private static String macOf(Object record) {
        return record instanceof CheckIn c ? c.report().mac() : ((Download) record).mac();
    }

    /**
     * Ids of entries applied a week ago and more are let go: their segments were deleted long since (an id is kept
     * after its segment's deletion, so that a segment the process could not delete before dying is not applied twice).
     */
    void forgetOldApplied() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "delete from device_activity_journal_applied where applied_at < now() - interval '7 days'")) {
            delete.executeUpdate();
        }
    }

    /** Remembers a journal entry in the transaction that writes it; false if it was written before. */
    private static boolean firstTimeApplied(Connection c, String entryId) throws SQLException {
        try (PreparedStatement applied = c.prepareStatement(
                "insert into device_activity_journal_applied (entry_id) values (?) on conflict do nothing")) {
            applied.setString(1, entryId);
            return applied.executeUpdate() == 1;
        }
    }

    private static Map<String, StoredDevice> known(Connection c, String tenantId, Set<String> macs)
            throws SQLException {
        Map<String, StoredDevice> known = new HashMap<>();
        if (macs.isEmpty()) {
            return known;
        }
        try (PreparedStatement statement = c.prepareStatement("select mac, product_id, client, chip_id, chip_size,"
                + " free_space, sketch_size, sketch_md5, sdk_version, version, build, mode, ip, pending_release_id,"
                + " pending_md5, pending_version, pending_since from devices where tenant_id = ? and mac = any(?)")) {
            statement.setString(1, tenantId);
            statement.setArray(2, c.createArrayOf("varchar", macs.toArray()));
            try (var rs = statement.executeQuery()) {
                while (rs.next()) {
                    Timestamp since = rs.getTimestamp(17);
                    Pending pending = new Pending(rs.getObject(14, Long.class), rs.getString(15), rs.getString(16),
                            since == null ? null : since.toInstant());
                    known.put(rs.getString(1),
                            new StoredDevice(rs.getObject(2, UUID.class), rs.getString(3), rs.getObject(4, Long.class),
                                    rs.getObject(5, Long.class), rs.getObject(6, Long.class),
                                    rs.getObject(7, Long.class), rs.getString(8), rs.getString(9), rs.getString(10),
                                    rs.getString(11), rs.getString(12), rs.getString(13), pending));
                }
            }
        }
        return known;
    }

    /** One statement for all the devices whose check-in changed nothing but when they were last seen. */
    private static void touch(Connection c, String tenantId, List<CheckIn> checkIns) throws SQLException {
        if (checkIns.isEmpty()) {
            return;
        }
        String[] macs = new String[checkIns.size()];
        String[] seen = new String[checkIns.size()];
        for (int i = 0; i < macs.length; i++) {
            macs[i] = checkIns.get(i).report().mac();
            seen[i] = checkIns.get(i).at().toString();
        }
        try (PreparedStatement update = c.prepareStatement("update devices d set last_seen = v.seen from"
                + " unnest(?::varchar[], ?::timestamptz[]) as v(mac, seen) where d.tenant_id = ? and d.mac = v.mac"
                + " and d.last_seen < v.seen")) {
            update.setArray(1, c.createArrayOf("varchar", macs));
            update.setArray(2, c.createArrayOf("timestamptz", seen));
            update.setString(3, tenantId);
            update.executeUpdate();
        }
    }

    /**
     * Registers new devices and writes what changed for known ones, in one statement whatever the batch's size (a JDBC
     * batch would execute one upsert per device). A reported value that is absent keeps the stored one.
     */
    private static void upsert(Connection c, String tenantId, List<CheckIn> checkIns, Map<String, Pending> pending)
            throws SQLException {
        if (checkIns.isEmpty()) {
            return;
        }
        int n = checkIns.size();
        String[][] text = new String[13][n];
        Long[][] numbers = new Long[5][n];
        for (int i = 0; i < n; i++) {
            CheckIn checkIn = checkIns.get(i);
            DeviceReport r = checkIn.report();
            Pending p = pending.get(r.mac());
            String[] row = { r.mac(), checkIn.productId() == null ? null : checkIn.productId().toString(),
                    r.client().code(), r.sketchMd5(), r.sdkVersion(), r.version(), r.build(), r.mode().code(), r.ip(),
                    p.md5(), p.version(), p.since() == null ? null : p.since().toString(), checkIn.at().toString() };
            Long[] numberRow = { r.chipId(), r.chipSize(), r.freeSpace(), r.sketchSize(), p.releaseId() };
            for (int column = 0; column < row.length; column++) {
                text[column][i] = row[column];
            }
            for (int column = 0; column < numberRow.length; column++) {
                numbers[column][i] = numberRow[column];
            }
        }
        try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
            upsert.setString(1, tenantId);
            String[] textTypes = { "varchar", "uuid", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar",
                    "varchar", "varchar", "varchar", "timestamptz", "timestamptz" };
            for (int column = 0; column < text.length; column++) {
                upsert.setArray(2 + column, c.createArrayOf(textTypes[column], text[column]));
            }
            for (int column = 0; column < numbers.length; column++) {
                upsert.setArray(2 + text.length + column, c.createArrayOf("bigint", numbers[column]));
            }
            upsert.executeUpdate();
        }
    }

    private static final String UPSERT = "insert into devices (tenant_id, mac, product_id, client, sketch_md5,"
            + " sdk_version, version, build, mode, ip, pending_md5, pending_version, pending_since, first_seen,"
            + " last_seen, chip_id, chip_size, free_space, sketch_size, pending_release_id)"
            + " select ?, v.mac, v.product_id, v.client, v.sketch_md5, v.sdk_version, v.version, v.build, v.mode, v.ip,"
            + " v.pending_md5, v.pending_version, v.pending_since, v.seen, v.seen, v.chip_id, v.chip_size,"
            + " v.free_space, v.sketch_size, v.pending_release_id from unnest(?::varchar[], ?::uuid[], ?::varchar[],"
            + " ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],"
            + " ?::varchar[], ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::bigint[]) as v(mac, product_id, client, sketch_md5, sdk_version, version, build, mode, ip,"
            + " pending_md5, pending_version, pending_since, seen, chip_id, chip_size, free_space, sketch_size,"
            + " pending_release_id)"
            + " on conflict (tenant_id, mac) do update set product_id = coalesce(excluded.product_id,"
            + " devices.product_id), client = excluded.client, chip_id = coalesce(excluded.chip_id, devices.chip_id),"
            + " chip_size = coalesce(excluded.chip_size, devices.chip_size), free_space = coalesce(excluded.free_space,"
            + " devices.free_space), sketch_size = coalesce(excluded.sketch_size, devices.sketch_size),"
            + " sketch_md5 = coalesce(excluded.sketch_md5, devices.sketch_md5), sdk_version ="
            + " coalesce(excluded.sdk_version, devices.sdk_version), version = coalesce(excluded.version,"
            + " devices.version), build = coalesce(excluded.build, devices.build), mode = excluded.mode,"
            + " ip = excluded.ip, pending_release_id = excluded.pending_release_id, pending_md5 ="
            + " excluded.pending_md5, pending_version = excluded.pending_version, pending_since ="
            + " excluded.pending_since, last_seen = greatest(devices.last_seen, excluded.last_seen)";

    private void insertEvents(Connection c, String tenantId, List<DeviceEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        int n = events.size();
        String[] at = new String[n]; // ISO 8601 with its zone: read the same whatever the session's time zone
        String[] macs = new String[n];
        String[] types = new String[n];
        Long[] releases = new Long[n];
        String[] details = new String[n];
        for (int i = 0; i < n; i++) {
            DeviceEvent event = events.get(i);
            at[i] = event.at().toString();
            macs[i] = event.mac();
            types[i] = event.type().code();
            releases[i] = event.releaseId();
            details[i] = toJson(event.detail());
        }
        // One statement for the batch, whatever its size (a JDBC batch would execute one insert per event).
        try (PreparedStatement insert = c.prepareStatement("insert into device_events (tenant_id, at, mac, type,"
                + " release_id, detail) select ?, e.at, e.mac, e.type, e.release_id, e.detail::jsonb from"
                + " unnest(?::timestamptz[], ?::varchar[], ?::varchar[], ?::bigint[], ?::text[])"
                + " as e(at, mac, type, release_id, detail)")) {
            insert.setString(1, tenantId);
            insert.setArray(2, c.createArrayOf("timestamptz", at));
            insert.setArray(3, c.createArrayOf("varchar", macs));
            insert.setArray(4, c.createArrayOf("varchar", types));
            insert.setArray(5, c.createArrayOf("bigint", releases));
            insert.setArray(6, c.createArrayOf("text", details));
            insert.executeUpdate();
        }
    }

    private String toJson(Map<String, Object> detail) {
        try {
            return json.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds the batch's check-ins and complete downloads to the tenant's hourly totals (the console's chart), by the
     * hour the device reported in, not the hour of writing: a replayed journal counts where it was.
     */
    private static void countHourly(Connection c, String tenantId, List<Object> records) throws SQLException {
        Map<Instant, long[]> byHour = new TreeMap<>();
        for (Object record : records) {
            Instant at = record instanceof CheckIn checkIn ? checkIn.at() : ((Download) record).at();
            long[] counts = byHour.computeIfAbsent(at.truncatedTo(ChronoUnit.HOURS), h -> new long[2]);
            if (record instanceof CheckIn) {
                counts[0]++;
            } else if (((Download) record).whole()) {
                counts[1]++;
            }
        }
        try (PreparedStatement count = c.prepareStatement("insert into device_activity_hourly (tenant_id, hour,"
                + " checkins, downloads) values (?, ?, ?, ?) on conflict (tenant_id, hour)"
                + " do update set checkins = device_activity_hourly.checkins + excluded.checkins,"
                + " downloads = device_activity_hourly.downloads + excluded.downloads")) {
            for (Map.Entry<Instant, long[]> hour : byHour.entrySet()) {
                count.setString(1, tenantId);
                count.setTimestamp(2, Timestamp.from(hour.getKey()));
                count.setLong(3, hour.getValue()[0]);
                count.setLong(4, hour.getValue()[1]);
                count.addBatch();
            }
            count.executeBatch();
        }
    }
}
