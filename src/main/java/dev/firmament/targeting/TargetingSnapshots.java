package dev.firmament.targeting;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The in-memory targeting snapshots, one per tenant, that every check-in reads. A change rebuilds the tenant's snapshot
 * from the database (after a short debounce, so a burst of changes costs one rebuild) and swaps it in atomically;
 * readers never wait.
 */
@ApplicationScoped
public class TargetingSnapshots {

    private static final Logger LOG = Logger.getLogger(TargetingSnapshots.class);
    private static final long DEBOUNCE_MILLIS = 50;

    private final TargetingSnapshotLoader loader;
    private final Map<String, TargetingSnapshot> snapshots = new ConcurrentHashMap<>();
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> rebuildLocks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService rebuilder = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "targeting-snapshot-rebuild");
        thread.setDaemon(true);
        return thread;
    });
    private final Timer rebuildTimer;

    TargetingSnapshots(TargetingSnapshotLoader loader, MeterRegistry meters) {
        this.loader = loader;
        this.rebuildTimer = Timer.builder("firmament.snapshot.rebuild").description("Rebuilding a tenant's snapshot")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /**
     * The tenant's snapshot. The first call for a tenant after start loads it synchronously; every later call is a map
     * lookup.
     */
    public TargetingSnapshot forTenant(String tenantId) {
        TargetingSnapshot snapshot = snapshots.get(tenantId);
        return snapshot != null ? snapshot : snapshots.computeIfAbsent(tenantId, this::loadOrEmpty);
    }

    /**
     * Rebuilds now, on the calling thread: used right after a local commit so the writer reads its own change.
     *
     * <p>
     * Rebuilds of one tenant run one at a time, each load and swap together: otherwise a load that read the database
     * before a change could finish after the load that saw it and swap the older snapshot in, and the change would be
     * missing until the next one. Every change is followed by a rebuild that starts after its commit, so the last swap
     * always holds every committed change.
     */
    public void rebuild(String tenantId) {
        synchronized (rebuildLock(tenantId)) {
            snapshots.put(tenantId, loadOrThrow(tenantId));
        }
    }

    private Object rebuildLock(String tenantId) {
        return rebuildLocks.computeIfAbsent(tenantId, id -> new Object());
    }

    /** Rebuilds soon, coalescing a burst of notifications into one load. */
    public void rebuildSoon(String tenantId) {
        if (scheduled.add(tenantId)) {
            rebuilder.schedule(() -> {
                scheduled.remove(tenantId);
                try {
                    rebuild(tenantId);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Rebuilding the targeting snapshot of tenant %s failed; retrying", tenantId);
                    rebuildSoon(tenantId);
                }
            }, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Loads every tenant's snapshot, so that even the first check-in after a start needs no database. */
    public void warmUp() throws SQLException {
        long start = System.nanoTime();
        java.util.List<String> tenants = loader.tenantIds();
        for (String tenantId : tenants) {
            synchronized (rebuildLock(tenantId)) {
                snapshots.put(tenantId, load(tenantId));
            }
        }
        LOG.infof("Loaded the targeting snapshots of %d tenants in %d ms", tenants.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** After a lost connection to the change channel: any tenant may have changed meanwhile. */
    public void rebuildAllSoon() {
        snapshots.keySet().forEach(this::rebuildSoon);
    }

    @PreDestroy
    void stop() {
        rebuilder.shutdownNow();
    }

    private TargetingSnapshot loadOrEmpty(String tenantId) {
        try {
            return load(tenantId);
        } catch (SQLException e) {
            // Better to answer "nothing to do" than to fail a device; the next change or retry fills it in.
            LOG.errorf(e, "Could not load the targeting snapshot of tenant %s", tenantId);
            rebuildSoon(tenantId);
            return TargetingSnapshot.empty(tenantId);
        }
    }

    private TargetingSnapshot loadOrThrow(String tenantId) {
        try {
            return load(tenantId);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not load the targeting snapshot of tenant " + tenantId, e);
        }
    }

    private TargetingSnapshot load(String tenantId) throws SQLException {
        long start = System.nanoTime();
        TargetingSnapshot snapshot = loader.load(tenantId);
        rebuildTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return snapshot;
    }
}
