package dev.firmament.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.firmament.db.DatabaseFailures;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.FleetChanges;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshots;
import dev.firmament.targeting.VersionComparator;

/**
 * Records device activity behind the request: check-ins and downloads go into a bounded in-memory queue that one thread
 * writes to the database in batches (every {@code firmament.devices.flush-interval}, sooner when the batch is full). A
 * check-in therefore never waits on the database; a graceful shutdown drains the queue.
 *
 * <p>
 * Installation is inferred here: a device with a pending offer that now reports the offered image's MD5 or version has
 * installed it. The same batch moves the devices of rollouts along (membership, offered, downloaded, installed) and
 * quarantines a device that keeps downloading a rollout's image without installing it.
 */
@ApplicationScoped
public class DeviceActivityRecorder {

    private static final Logger LOG = Logger.getLogger(DeviceActivityRecorder.class);
    private static final int BATCH = 2000;
    /**
     * Records that may wait in memory for the spill thread beyond a full queue: what arrives at full load while it
     * forces one group of entries to disk.
     */
    private static final int SPILL_BUFFER = 20_000;

    /** One check-in and what was decided. */
    public record CheckIn(String tenantId, DeviceReport report, UUID productId, Long defaultGroupId, Decision decision,
            Instant at) {
    }

    /**
     * One image sent (or partly sent) to a device.
     *
     * @param brokenOff
     *            the connection ended before the response did (the device lost it): {@code bytes} is what was handed to
     *            the connection, not what arrived
     */
    public record Download(String tenantId, String mac, long releaseId, ImageKind kind, long bytes, long size,
            String range, Instant at, boolean brokenOff) {

        /** The whole image in one response: what counts as a download of it (a range is a part, however large). */
        boolean whole() {
            return !brokenOff && range == null && bytes == size;
        }
    }

    private final AgroalDataSource dataSource;
    private final TargetingSnapshots snapshots;
    private final ObjectMapper json;
    private final BlockingQueue<Object> queue;
    /**
     * Records that arrived while the queue was full, on their way to the journal. Once one is here, later records
     * follow it (not the queue) until the spill thread has journaled them all, so that a device's records stay in
     * order.
     */
    private final BlockingQueue<Object> overflow;
    private volatile boolean spilling;
    /** Held while spilling; never while waiting on the database, so that the spill does not wait for it. */
    private final Object spillLock = new Object();
    private final long flushMillis;
    private final java.time.Duration installTimeout;
    private final int updateLoopDownloads;
    private final Counter dropped;
    private final Counter journaled;
    private final Counter spilled;
    private final ActivityJournal journal;
    /** When the writer tries the journal's oldest segment again; backs off while the database stays away. */
    private long nextReplayNanos;
    private long replayBackoffMillis = 1_000;

    /** What can go wrong on the write path; each is logged at most every 30 s, apart from the others. */
    private enum Trouble {
        QUEUE_FULL, SPILL_FULL, DATABASE_AWAY, JOURNAL_FULL, JOURNAL_UNWRITABLE, REPLAY_FAILED
    }

    private final java.util.concurrent.atomic.AtomicLongArray lastLoggedNanos = new java.util.concurrent.atomic.AtomicLongArray(
            Trouble.values().length);
    private final java.time.Duration shutdownFlushTimeout;
    private volatile boolean stopping;
    private volatile long shutdownDeadlineNanos;
    /** Records accepted and not yet written (queued, or taken by the writer thread). */
    private final java.util.concurrent.atomic.AtomicLong unwritten = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;
    private Thread writer;
    private Thread spiller;
    private long lastWriteStartedNanos;

    DeviceActivityRecorder(AgroalDataSource dataSource, ObjectMapper json, MeterRegistry meters,
            TargetingSnapshots snapshots, @ConfigProperty(name = "firmament.devices.queue-capacity") int capacity,
            @ConfigProperty(name = "firmament.devices.flush-interval") java.time.Duration flushInterval,
            @ConfigProperty(name = "firmament.devices.install-timeout") java.time.Duration installTimeout,
            @ConfigProperty(name = "firmament.rollouts.update-loop-downloads") int updateLoopDownloads,
            @ConfigProperty(name = "firmament.data-dir") String dataDir,
            @ConfigProperty(name = "firmament.devices.journal-max-size") long journalMaxSize,
            @ConfigProperty(name = "firmament.devices.shutdown-flush-timeout") java.time.Duration shutdownFlushTimeout) {
        this.shutdownFlushTimeout = shutdownFlushTimeout;
        this.journal = new ActivityJournal(java.nio.file.Path.of(dataDir, "device-activity-journal"), journalMaxSize);
        this.snapshots = snapshots;
        this.installTimeout = installTimeout;
        this.updateLoopDownloads = updateLoopDownloads;
        this.dataSource = dataSource;
        this.json = json;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.overflow = new ArrayBlockingQueue<>(SPILL_BUFFER);
        this.flushMillis = flushInterval.toMillis();
        this.dropped = Counter.builder("firmament.devices.activity.dropped")
                .description("Device activity records lost: the journal was full or could not be written, or the"
                        + " database refused them as bad data")
                .register(meters);
        meters.gaugeCollectionSize("firmament.devices.activity.queued", List.of(), queue);
        this.journaled = Counter.builder("firmament.devices.activity.journaled")
                .description("Device activity records written to the local journal because the database was away or"
                        + " the write queue was full")
                .register(meters);
        this.spilled = Counter.builder("firmament.devices.activity.spilled")
                .description("Device activity records that arrived while the write queue was full (then journaled)")
                .register(meters);
        meters.gauge("firmament.devices.journal.bytes", journal, ActivityJournal::size);
    }

    void start(@Observes StartupEvent event) {
        writer = new Thread(this::run, "device-activity-writer");
        writer.start();
        spiller = new Thread(this::spill, "device-activity-spiller");
        spiller.setDaemon(true); // stop() journals what is left
        spiller.start();
    }

    public void record(CheckIn checkIn) {
        offer(checkIn);
    }

    public void record(Download download) {
        offer(download);
    }

    /** Returns once everything recorded so far is written; for tests and shutdown. */
    public void flush() {
        drainAndReplay();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (unwritten.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5); // the writer thread holds the rest in its current batch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Writes what is queued within {@code firmament.devices.shutdown-flush-timeout}; what it cannot write by then (the
     * database is away or slow) goes to the journal, replayed at the next start. Nothing is lost, and the process ends
     * within the bound. Runs before the connection pool closes, which happens after ShutdownEvent observers.
     */
    void stop(@Observes ShutdownEvent event) {
        shutdownDeadlineNanos = System.nanoTime() + shutdownFlushTimeout.toNanos();
        stopping = true;
        running = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(shutdownFlushTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (spiller != null) {
            try {
                // Not interrupted: an interrupt in the middle of a journal write would close the journal's file.
                spiller.join(2 * flushMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drainAndReplay();
        journal.close();
        if (!journal.isEmpty()) {
            LOG.infof("Stopped with %d bytes of device activity in the journal; they are written after the next start",
                    journal.size());
        }
    }

    /**
     * Writes everything queued (to the database, or behind the journal), then what waits to be spilled (to the
     * journal), then tries the journal once.
     */
    private synchronized void drainAndReplay() {
        List<Object> batch = new ArrayList<>();
        while (queue.drainTo(batch, BATCH) > 0) {
            write(batch);
            batch.clear();
        }
        spillWaiting();
        replay();
    }

    /** Past the shutdown bound: whatever is left goes straight to the journal. */
    private boolean outOfTimeToStop() {
        return stopping && System.nanoTime() > shutdownDeadlineNanos;
    }

    /** Records accepted and not yet written to the database or the journal. */
    long unwritten() {
        return unwritten.get();
    }

    /** Records lost since start (the journal was full or unwritable, or the database refused them as bad data). */
    long dropped() {
        return (long) dropped.count();
    }

    /** Records that found the queue full since start (and went to the journal instead, unless it was full too). */
    long spilled() {
        return (long) spilled.count();
    }

    /** Bytes of activity waiting in the local journal for the database; 0 in the normal case. */
    public long journalBytes() {
        return journal.size();
    }

    /**
     * Never blocks a device. A record that finds the queue full goes to the journal instead, through the spill thread
     * (the journal writes to disk, which the event loop must not wait for).
     */
    private void offer(Object record) {
        unwritten.incrementAndGet();
        if (!spilling && queue.offer(record)) {
            return;
        }
        spilling = true;
        spilled.increment();
        if (overflow.offer(record)) {
            return;
        }
        unwritten.decrementAndGet();
        dropped.increment();
        logRateLimited(Trouble.SPILL_FULL, null,
                "The device activity queue and its spill to the journal are both full; dropping");
    }

    /**
     * Journals what arrived while the queue was full, behind what the queue holds: those records are older, and the
     * writer would otherwise put them behind the spill once the journal holds anything.
     */
    private void spill() {
        while (running) {
            try {
                Object first = overflow.poll(flushMillis, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                logRateLimited(Trouble.QUEUE_FULL, null,
                        "The device activity queue is full (firmament.devices.queue-capacity); keeping"
                                + " activity in the local journal until the writer catches up");
                List<Object> older = new ArrayList<>();
                synchronized (spillLock) {
                    queue.drainTo(older);
                    older.add(first);
                    spillAll(older);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void spillWaiting() {
        synchronized (spillLock) {
            spillAll(new ArrayList<>());
        }
    }

    /** Journals {@code records}, then everything in the overflow, in chunks of one batch per tenant. */
    private void spillAll(List<Object> records) {
        do {
            overflow.drainTo(records);
            for (int from = 0; from < records.size(); from += BATCH) {
                List<Object> chunk = records.subList(from, Math.min(records.size(), from + BATCH));
                try {
                    toJournal(new ArrayList<>(byTenant(chunk).entrySet()));
                } finally {
                    unwritten.addAndGet(-chunk.size());
                }
            }
            records.clear();
            spilling = false;
            // A record offered while the flag was still up may have landed in the overflow after the drain.
        } while (!overflow.isEmpty());
    }

    private void run() {
        List<Object> batch = new ArrayList<>();
        while (running) {
            try {
                if (!journal.isEmpty() && System.nanoTime() >= nextReplayNanos) {
                    synchronized (this) {
                        replay();
                    }
                }
                // Records that queued up during the last write have waited since it began: the batch is written one
                // flush interval after its oldest record arrived, which bounds what a SIGKILL can take with it.
                boolean waitedThroughAWrite = !queue.isEmpty();
                Object first = queue.poll(flushMillis, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long now = System.nanoTime();
                long deadline = waitedThroughAWrite
                        ? Math.max(now + 1_000_000, lastWriteStartedNanos + TimeUnit.MILLISECONDS.toNanos(flushMillis))
                        : now + TimeUnit.MILLISECONDS.toNanos(flushMillis);
                while (batch.size() < BATCH && System.nanoTime() < deadline) {
                    Object next = queue.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                            TimeUnit.MILLISECONDS);
                    if (next != null) {
                        batch.add(next);
                        queue.drainTo(batch, BATCH - batch.size());
                    }
                }
                lastWriteStartedNanos = System.nanoTime();
                synchronized (this) {
                    write(batch);
                }
                batch.clear();
            } catch (InterruptedException e) {
                if (!batch.isEmpty()) {
                    synchronized (this) {
                        write(batch);
                    }
                }
                return;
            }
        }
    }

    private void write(List<Object> batch) {
        try {
            writeByTenant(batch);
        } finally {
            unwritten.addAndGet(-batch.size());
        }
    }

    /**
     * Writes each tenant's part of the batch in its own transaction. While the journal holds anything, everything goes
     * behind it, so that activity reaches the database in the order devices reported it. A tenant's part that the
     * database cannot take because it is away goes to the journal, with everything after it.
     */
    private void writeByTenant(List<Object> batch) {
        List<Map.Entry<String, List<Object>>> parts = new ArrayList<>(byTenant(batch).entrySet());
        for (int i = 0; i < parts.size(); i++) {
            String tenant = parts.get(i).getKey();
            List<Object> records = parts.get(i).getValue();
            if (!journal.isEmpty() || outOfTimeToStop()) {
                toJournal(parts.subList(i, parts.size()));
                return;
            }
            try {
                writeTenantRetrying(tenant, records, null);
            } catch (SQLException | RuntimeException e) {
                if (DatabaseFailures.unreachable(e)) {
                    logRateLimited(Trouble.DATABASE_AWAY, e,
                            "The database cannot take device activity; keeping it in the local journal");
                    toJournal(parts.subList(i, parts.size()));
                    return;
                }
                dropped.increment(records.size());
                LOG.errorf(e, "Could not record %d device activities of tenant %s", records.size(), tenant);
            }
        }
    }

    private static Map<String, List<Object>> byTenant(List<Object> records) {
        Map<String, List<Object>> byTenant = new LinkedHashMap<>();
        for (Object record : records) {
            String tenant = record instanceof CheckIn c ? c.tenantId() : ((Download) record).tenantId();
            byTenant.computeIfAbsent(tenant, t -> new ArrayList<>()).add(record);
        }
        return byTenant;
    }

    /** A tenant's records, with a deadlock or serialization failure (another replica got there) retried. */
    private void writeTenantRetrying(String tenant, List<Object> records, String journalEntry) throws SQLException {
        for (int attempt = 1;; attempt++) {
            try {
                if (writeTenant(tenant, records, journalEntry)) {
                    // Other replicas learn it from the NOTIFY; this one reads its own change at once.
                    snapshots.rebuild(tenant);
                }
                return;
            } catch (SQLException e) {
                if (!DatabaseFailures.retryable(e) || attempt == 5) {
                    throw e;
                }
                LOG.debugf("Device activity of tenant %s hit %s; retrying (attempt %d)", tenant, e.getSQLState(),
                        attempt);
            }
        }
    }

    private void toJournal(List<Map.Entry<String, List<Object>>> parts) {
        List<byte[]> payloads = new ArrayList<>();
        int count = 0;
        for (Map.Entry<String, List<Object>> part : parts) {
            payloads.add(JournalEntries.encode(json, part.getKey(), part.getValue()));
            count += part.getValue().size();
        }
        try {
            if (journal.append(payloads)) {
                journaled.increment(count);
                return;
            }
            dropped.increment(count);
            logRateLimited(Trouble.JOURNAL_FULL, null, "The device activity journal is full"
                    + " (firmament.devices.journal-max-size); dropping " + count + " records");
        } catch (java.io.IOException e) {
            dropped.increment(count);
            logRateLimited(Trouble.JOURNAL_UNWRITABLE, e,
                    "Cannot write the device activity journal; dropping " + count + " records");
        }
    }

    /**
     * Writes the journal's oldest segment to the database, entry by entry; deletes it once all are committed. Stops at
     * the first entry the database cannot take, and tries again later (backing off up to 30 s).
     */
    private void replay() {
        if (outOfTimeToStop()) {
            return;
        }
        try {
            ActivityJournal.Segment segment;
            while ((segment = journal.oldest()) != null) {
                for (ActivityJournal.Entry entry : segment.entries()) {
                    JournalEntries.Decoded decoded = JournalEntries.decode(json, entry.payload());
                    try {
                        writeTenantRetrying(decoded.tenantId(), decoded.records(), entry.id());
                    } catch (SQLException | RuntimeException e) {
                        if (DatabaseFailures.unreachable(e)) {
                            nextReplayNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(replayBackoffMillis);
                            replayBackoffMillis = Math.min(30_000, replayBackoffMillis * 2);
                            return;
                        }
                        dropped.increment(decoded.records().size());
                        LOG.errorf(e, "Could not replay journal entry %s (%d records of tenant %s); skipped",
                                entry.id(), decoded.records().size(), decoded.tenantId());
                    }
                }
                journal.delete(segment);
                forgetOldApplied();
                LOG.infof("Replayed the device activity journal segment %s (%d entries)", segment.name(),
                        segment.entries().size());
            }
            replayBackoffMillis = 1_000;
        } catch (java.io.IOException | SQLException e) {
            logRateLimited(Trouble.REPLAY_FAILED, e,
                    "Replaying the device activity journal failed; trying again later");
            nextReplayNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        }
    }

    /**
     * Ids of entries applied a week ago and more are let go: their segments were deleted long since (an id is kept
     * after its segment's deletion, so that a segment the process could not delete before dying is not applied twice).
     */
    private void forgetOldApplied() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(
                "delete from device_activity_journal_applied where applied_at < now() - interval '7 days'")) {
            delete.executeUpdate();
        }
    }

    private void logRateLimited(Trouble trouble, Throwable e, String message) {
        long now = System.nanoTime();
        long last = lastLoggedNanos.get(trouble.ordinal());
        if ((last == 0 || now - last > TimeUnit.SECONDS.toNanos(30))
                && lastLoggedNanos.compareAndSet(trouble.ordinal(), last, now)) {
            LOG.warn(message + " (" + (long) dropped.count() + " records lost since start)"
                    + (e == null ? "" : ": " + e));
        }
    }

    /** Returns whether the tenant's targeting data changed (a device enrolled in a group, or quarantined). */
    private boolean writeTenant(String tenantId, List<Object> arrived, String journalEntry) throws SQLException {
        // Rows are locked in MAC order, the same on every replica, so that two replicas writing the same devices wait
        // for each other instead of deadlocking. The sort is stable: a device's own records keep their order.
        List<Object> records = new ArrayList<>(arrived);
        records.sort(java.util.Comparator.comparing(DeviceActivityRecorder::macOf,
                java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())));
        Map<String, CheckIn> latest = new LinkedHashMap<>();
        for (Object record : records) {
            if (record instanceof CheckIn checkIn) {
                latest.put(checkIn.report().mac(), checkIn);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (journalEntry != null && !firstTimeApplied(c, journalEntry)) {
                    c.rollback();
                    return false; // committed before a crash that left its segment behind
                }
                Map<String, Stored> known = known(c, tenantId, latest.keySet());
                List<Event> events = new ArrayList<>();
                boolean enrolled = false;
                try (PreparedStatement enroll = c.prepareStatement("insert into mac_group_members (tenant_id,"
                        + " group_id, mac) values (?, ?, ?) on conflict do nothing")) {
                    Map<String, Pending> next = new HashMap<>();
                    for (Object record : records) {
                        if (record instanceof CheckIn checkIn) {
                            // What this check-in says about the previous offer comes before what it offers anew.
                            // Each check-in in turn: an offer and the install that follows can share a batch.
                            String mac = checkIn.report().mac();
                            Stored stored = known.get(mac);
                            next.put(mac, nextPending(checkIn,
                                    next.containsKey(mac) ? next.get(mac) : stored == null ? null : stored.pending(),
                                    events));
                            eventsOf(checkIn, events);
                        } else {
                            Download d = (Download) record;
                            events.add(new Event(d.mac(), "downloaded", d.releaseId(), d.at(),
                                    Map.of("kind", d.kind().name().toLowerCase(java.util.Locale.ROOT), "bytes",
                                            d.bytes(), "size", d.size(), "range", d.range() == null ? "" : d.range(),
                                            "complete", !d.brokenOff() && (d.bytes() == d.size() || d.range() != null),
                                            "brokenOff", d.brokenOff())));
                        }
                    }
                    List<CheckIn> seenOnly = new ArrayList<>();
                    List<CheckIn> changed = new ArrayList<>();
                    for (CheckIn checkIn : latest.values()) {
                        Stored stored = known.get(checkIn.report().mac());
                        if (stored != null && stored.unchangedBy(checkIn, next.get(checkIn.report().mac()))) {
                            seenOnly.add(checkIn); // the common case: a device checking in with nothing new
                            continue;
                        }
                        changed.add(checkIn);
                        if (stored == null && checkIn.defaultGroupId() != null) {
                            enroll.setString(1, tenantId);
                            enroll.setLong(2, checkIn.defaultGroupId());
                            enroll.setString(3, checkIn.report().mac());
                            enroll.addBatch();
                            enrolled = true;
                        }
                    }
                    upsert(c, tenantId, changed, next);
                    touch(c, tenantId, seenOnly);
                    if (enrolled) {
                        enroll.executeBatch();
                    }
                }
                boolean quarantined = RolloutProgressWriter.write(c, tenantId, records, events, updateLoopDownloads);
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
                return enrolled || quarantined;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static String macOf(Object record) {
        return record instanceof CheckIn c ? c.report().mac() : ((Download) record).mac();
    }

    /** Remembers a journal entry in the transaction that writes it; false if it was written before. */
    private static boolean firstTimeApplied(Connection c, String entryId) throws SQLException {
        try (PreparedStatement applied = c.prepareStatement(
                "insert into device_activity_journal_applied (entry_id) values (?) on conflict do nothing")) {
            applied.setString(1, entryId);
            return applied.executeUpdate() == 1;
        }
    }

    /** The device's pending offer as stored. */
    private record Pending(Long releaseId, String md5, String version, Instant since) {
        static final Pending NONE = new Pending(null, null, null, null);
    }

    /** A device's row as stored: what it last reported and its pending offer. */
    private record Stored(UUID productId, String client, Long chipId, Long chipSize, Long freeSpace, Long sketchSize,
            String sketchMd5, String sdkVersion, String version, String build, String mode, String ip,
            Pending pending) {

        /**
         * Whether the upsert of {@code checkIn} would leave every column but {@code last_seen} as it is: then only
         * {@code last_seen} is written. Mirrors {@link #UPSERT}: reported values that are absent keep the stored ones.
         */
        boolean unchangedBy(CheckIn checkIn, Pending next) {
            DeviceReport r = checkIn.report();
            return kept(checkIn.productId(), productId) && r.client().code().equals(client) && kept(r.chipId(), chipId)
                    && kept(r.chipSize(), chipSize) && kept(r.freeSpace(), freeSpace)
                    && kept(r.sketchSize(), sketchSize) && kept(r.sketchMd5(), sketchMd5)
                    && kept(r.sdkVersion(), sdkVersion) && kept(r.version(), version) && kept(r.build(), build)
                    && r.mode().code().equals(mode) && Objects.equals(r.ip(), ip) && next.equals(pending);
        }

        private static boolean kept(Object reported, Object stored) {
            return reported == null || reported.equals(stored);
        }
    }

    record Event(String mac, String type, Long releaseId, Instant at, Map<String, Object> detail) {
    }

    private static Map<String, Stored> known(Connection c, String tenantId, java.util.Set<String> macs)
            throws SQLException {
        Map<String, Stored> known = new HashMap<>();
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
                            new Stored(rs.getObject(2, UUID.class), rs.getString(3), rs.getObject(4, Long.class),
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

    private static void eventsOf(CheckIn checkIn, List<Event> events) {
        Decision decision = checkIn.decision();
        if (decision.outcome() != Outcome.OFFER && decision.outcome() != Outcome.WITHHELD
                || checkIn.report().mode() == DeviceReport.Mode.VERSION) {
            return; // asking which version is available offers nothing
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", decision.reason().code());
        detail.put("source", decision.source().name().toLowerCase(java.util.Locale.ROOT));
        detail.put("kind", decision.kind().name().toLowerCase(java.util.Locale.ROOT));
        detail.put("client", checkIn.report().client().code());
        if (decision.ruleId() != null) {
            detail.put("ruleId", decision.ruleId());
        }
        if (decision.rolloutId() != null && decision.source() == Decision.Source.ROLLOUT) {
            detail.put("rolloutId", decision.rolloutId());
            detail.put("wave", decision.wave());
        }
        if (checkIn.report().version() != null) {
            detail.put("fromVersion", checkIn.report().version());
        }
        if (decision.outcome() == Outcome.WITHHELD && checkIn.report().freeSpace() != null) {
            detail.put("freeSpace", checkIn.report().freeSpace());
            detail.put("size", decision.image().size());
        }
        events.add(new Event(checkIn.report().mac(), decision.outcome() == Outcome.OFFER ? "offered" : "withheld",
                decision.release().id(), checkIn.at(), detail));
    }

    /**
     * Installed once the device reports the offered firmware; failed when it still runs something else after the
     * install timeout (a later offer starts a new attempt). A new firmware offer becomes the pending one.
     */
    private Pending nextPending(CheckIn checkIn, Pending stored, List<Event> events) {
        Pending pending = stored == null ? Pending.NONE : stored;
        DeviceReport report = checkIn.report();
        if (pending.releaseId() != null && runs(report, pending)) {
            events.add(new Event(report.mac(), "installed", pending.releaseId(), checkIn.at(),
                    Map.of("version", report.version() == null ? "" : report.version(), "since",
                            pending.since() == null ? "" : pending.since().toString())));
            pending = Pending.NONE;
        } else if (pending.releaseId() != null && pending.since() != null
                && pending.since().plus(installTimeout).isBefore(checkIn.at())) {
            events.add(new Event(report.mac(), "failed", pending.releaseId(), checkIn.at(),
                    Map.of("reason", "still-reports-another-image", "reportedVersion",
                            report.version() == null ? "" : report.version(), "reportedMd5",
                            report.sketchMd5() == null ? "" : report.sketchMd5(), "since",
                            pending.since().toString())));
            pending = Pending.NONE;
        }
        Decision decision = checkIn.decision();
        if (decision.outcome() == Outcome.OFFER && decision.kind() == ImageKind.FIRMWARE
                && report.mode() != DeviceReport.Mode.VERSION
                && !Long.valueOf(decision.release().id()).equals(pending.releaseId())) {
            pending = new Pending(decision.release().id(), decision.image().md5(), decision.release().version(),
                    checkIn.at());
        }
        return pending;
    }

    private static boolean runs(DeviceReport report, Pending pending) {
        return (report.sketchMd5() != null && report.sketchMd5().equals(pending.md5())) || (report.version() != null
                && pending.version() != null && VersionComparator.compare(report.version(), pending.version()) == 0);
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

    private void insertEvents(Connection c, String tenantId, List<Event> events) throws SQLException {
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
            Event event = events.get(i);
            at[i] = event.at().toString();
            macs[i] = event.mac();
            types[i] = event.type();
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

    /** Adds the batch's check-ins and complete downloads to the tenant's hourly totals (the console's chart). */
    /** Counts by the hour the device reported in, not the hour of writing: a replayed journal counts where it was. */
    private static void countHourly(Connection c, String tenantId, List<Object> records) throws SQLException {
        Map<Instant, long[]> byHour = new java.util.TreeMap<>();
        for (Object record : records) {
            Instant at = record instanceof CheckIn checkIn ? checkIn.at() : ((Download) record).at();
            long[] counts = byHour.computeIfAbsent(at.truncatedTo(java.time.temporal.ChronoUnit.HOURS),
                    h -> new long[2]);
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
