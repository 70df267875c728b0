package dev.firmament.device;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.firmament.db.DatabaseFailures;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshots;

/**
 * Takes device activity off the request and makes sure it reaches the database: check-ins and downloads go into a
 * bounded in-memory queue that one thread hands to the {@link DeviceActivityStore} in batches (every
 * {@code firmament.devices.flush-interval}, sooner when the batch is full), so a check-in never waits on the database.
 * What the database cannot take (it is away), or what finds the queue full, goes to the local {@link ActivityJournal}
 * and is replayed in order; a graceful shutdown drains the queue within its bound and journals the rest.
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
        public boolean whole() {
            return !brokenOff && range == null && bytes == size;
        }
    }

    private final DeviceActivityStore store;
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

    DeviceActivityRecorder(DeviceActivityStore store, ObjectMapper json, MeterRegistry meters,
            TargetingSnapshots snapshots, DevicesConfig config,
            @ConfigProperty(name = "firmament.data-dir") String dataDir) {
        this.store = store;
        this.shutdownFlushTimeout = config.shutdownFlushTimeout();
        this.journal = new ActivityJournal(java.nio.file.Path.of(dataDir, "device-activity-journal"),
                config.journalMaxSize());
        this.snapshots = snapshots;
        this.json = json;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.overflow = new ArrayBlockingQueue<>(SPILL_BUFFER);
        this.flushMillis = config.flushInterval().toMillis();
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
                spiller.join(2_000);
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
                // A short wait, whatever the flush interval: stop() waits for this thread to notice it must end.
                Object first = overflow.poll(100, TimeUnit.MILLISECONDS);
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
                if (store.write(tenant, records, journalEntry)) {
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
                store.forgetOldApplied();
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

    private void logRateLimited(Trouble trouble, Throwable e, String message) {
        long now = System.nanoTime();
        long last = lastLoggedNanos.get(trouble.ordinal());
        if ((last == 0 || now - last > TimeUnit.SECONDS.toNanos(30))
                && lastLoggedNanos.compareAndSet(trouble.ordinal(), last, now)) {
            LOG.warn(message + " (" + (long) dropped.count() + " records lost since start)"
                    + (e == null ? "" : ": " + e));
        }
    }

}
