package dev.firmament.rollout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;
import io.quarkus.scheduler.Scheduled;

import dev.firmament.audit.AuditActor;
import dev.firmament.device.DevicesConfig;
import dev.firmament.rollout.Rollout.State;
import dev.firmament.rollout.RolloutProgress.WaveProgress;
import dev.firmament.tenant.TenantContext;

/**
 * Moves running rollouts along: marks devices that downloaded and never came back with the image as failed, pauses a
 * rollout whose open waves fail beyond their threshold, and opens the next wave (or completes the rollout) once the
 * current wave has soaked long enough and installed enough. A wave that reaches no device never opens the next one: the
 * rollout pauses, saying so, until a person advances it.
 *
 * <p>
 * Every replica runs this on a short interval. Each rollout is evaluated in a transaction that first locks its row with
 * {@code SKIP LOCKED}: while one replica (or a person's action) holds a rollout, the others pass it by, and a decision
 * is taken from committed state only, so evaluating twice changes nothing. All state is in the database: a restart
 * continues where the rollout was.
 */
// Created at start, not at its first tick: its metrics are there from the first scrape.
@io.quarkus.runtime.Startup
@ApplicationScoped
public class RolloutEngine {

    private static final Logger LOG = Logger.getLogger(RolloutEngine.class);

    private final AgroalDataSource dataSource;
    private final TenantContext tenants;
    private final EntityManager entityManager;
    private final RolloutService rollouts;
    private final RolloutMembers members;
    private final RolloutProgressStore deviceProgress;
    private final Duration installTimeout;
    private final Duration reconcileInterval;
    private final InstantSource clock;
    /** When this replica last reconciled each rollout's members; in memory, as it only spaces out the work. */
    private final Map<Long, Instant> lastReconciled = new ConcurrentHashMap<>();
    private final io.micrometer.core.instrument.Counter silentFailures;
    private final Map<State, java.util.concurrent.atomic.AtomicLong> byState = new java.util.EnumMap<>(State.class);

    RolloutEngine(AgroalDataSource dataSource, TenantContext tenants, EntityManager entityManager,
            RolloutService rollouts, RolloutMembers members, RolloutProgressStore deviceProgress, DevicesConfig devices,
            RolloutsConfig config, InstantSource clock, io.micrometer.core.instrument.MeterRegistry meters) {
        this.clock = clock;
        // Beside the failures the activity writer counts as devices report them: devices that never reported back.
        this.silentFailures = meters.counter("firmament.devices.failures", "kind", "failed");
        for (State state : State.values()) {
            byState.put(state,
                    meters.gauge("firmament.rollouts",
                            java.util.List.of(io.micrometer.core.instrument.Tag.of("state", state.code())),
                            new java.util.concurrent.atomic.AtomicLong()));
        }
        this.reconcileInterval = config.reconcileInterval();
        this.dataSource = dataSource;
        this.tenants = tenants;
        this.entityManager = entityManager;
        this.rollouts = rollouts;
        this.members = members;
        this.deviceProgress = deviceProgress;
        this.installTimeout = devices.installTimeout();
    }

    @Scheduled(every = "${firmament.rollouts.evaluate-interval}", delayed = "${firmament.rollouts.evaluate-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            evaluateAll();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Evaluating rollouts failed; trying again on the next tick", e);
        }
    }

    /** Evaluates every rollout that may need it once; public for tests, which do not want to wait for the tick. */
    public void evaluateAll() throws SQLException {
        for (Object[] rollout : rolloutsToEvaluate()) {
            UUID tenant = UUID.fromString((String) rollout[0]);
            long id = (Long) rollout[1];
            try {
                // Counted once committed: a rolled-back evaluation failed nobody.
                silentFailures.increment(
                        tenants.callAs(tenant, () -> Arc.container().instance(RolloutEngine.class).get().evaluate(id)));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Evaluating rollout %d of tenant %s failed", id, tenant);
            }
        }
        countByState();
    }

    /** Rollouts in each state across tenants, for the {@code firmament.rollouts} gauges. */
    private void countByState() throws SQLException {
        Map<State, Long> counted = new java.util.EnumMap<>(State.class);
        try (Connection c = dataSource.getConnection();
                var statement = c.prepareStatement("select state, count(*) from rollouts group by state");
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                counted.put(State.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)), rs.getLong(2));
            }
        }
        byState.forEach((state, gauge) -> gauge.set(counted.getOrDefault(state, 0L)));
    }

    /**
     * Scheduled drafts whose start time has come, running and paused rollouts, and completed ones still within the
     * install timeout of their end (their last devices may still fail), across tenants.
     */
    private List<Object[]> rolloutsToEvaluate() throws SQLException {
        List<Object[]> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                var statement = c.prepareStatement("select tenant_id, id from rollouts where state in ('running',"
                        + " 'paused') or (state = 'completed' and ended_at > ?) or (state = 'draft' and start_at <= ?)")) {
            statement.setTimestamp(1, java.sql.Timestamp.from(clock.instant().minus(installTimeout.multipliedBy(2))));
            statement.setTimestamp(2, java.sql.Timestamp.from(clock.instant()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    found.add(new Object[] { rs.getString(1), rs.getLong(2) });
                }
            }
        }
        return found;
    }

    /**
     * One rollout, in the current tenant; skipped when another replica or a person holds it right now. Returns how many
     * of its devices it failed for staying silent past the install timeout.
     */
    @Transactional
    int evaluate(long id) {
        String tenantId = tenants.require().toString();
        List<?> locked = entityManager
                .createNativeQuery(
                        "select id from rollouts where tenant_id = ?1 and id = ?2 for no key update skip locked")
                .setParameter(1, tenantId).setParameter(2, id).getResultList();
        if (locked.isEmpty()) {
            return 0;
        }
        int silent = deviceProgress.failOverdue(tenantId, id, clock.instant(), installTimeout);
        evaluateLocked(tenantId, id);
        return silent;
    }

    private void evaluateLocked(String tenantId, long id) {
        Arc.container().instance(AuditActor.class).get().set("system", "rollout-engine", "Rollout engine", null, null,
                null);
        Rollout rollout = entityManager.find(Rollout.class, id);
        if (rollout.state == State.DRAFT) {
            if (rollout.startAt != null && !clock.instant().isBefore(rollout.startAt)) {
                rollouts.startScheduled(rollout);
            }
            return;
        }
        List<RolloutWave> waves = rollouts.waves(id);
        boolean reconciled = false;
        if (rollout.state != State.COMPLETED && reconcileDue(id)) {
            reconcile(tenantId, rollout, waves);
            reconciled = true;
        }
        if (rollout.state != State.RUNNING) {
            return;
        }
        RolloutProgress progress = RolloutService.progress(rollout, waves, deviceProgress.counts(tenantId, id));
        for (WaveProgress wave : progress.waves()) {
            RolloutWave definition = waves.get(wave.position());
            long newFailures = wave.counts().failures() - wave.failuresAcknowledged();
            if (wave.open() && newFailures > 0 && wave.failurePercent() >= definition.failureThreshold.doubleValue()) {
                rollouts.transition(rollout, waves, "rollout.pause", State.PAUSED,
                        String.format(java.util.Locale.ROOT,
                                "%s: %d of %d devices failed (%.1f %%), at or above the %s %% failure threshold",
                                definition.name, newFailures, wave.counts().devices(), wave.failurePercent(),
                                definition.failureThreshold.stripTrailingZeros().toPlainString()));
                return;
            }
        }
        WaveProgress current = readyToMoveOn(rollout, waves, progress);
        if (current != null && !reconciled) {
            // About to let more of the fleet in: decide on who the wave reaches now (devices that registered or joined
            // its groups since the last reconcile), not on the rows as they were.
            reconcile(tenantId, rollout, waves);
            current = readyToMoveOn(rollout, waves,
                    RolloutService.progress(rollout, waves, deviceProgress.counts(tenantId, id)));
        }
        if (current == null) {
            return;
        }
        if (current.counts().devices() == 0) {
            // An empty wave proves nothing: a canary group whose devices have not registered yet must hold the fleet
            // back, not wave it through as "100 % installed". Only a person may go on without it.
            rollouts.transition(rollout, waves, "rollout.pause", State.PAUSED,
                    waves.get(current.position()).name
                            + " reaches no device (its devices may not have checked in yet); resume once they have, or"
                            + " advance to go on without it");
            return;
        }
        rollouts.openNextWave(rollout, waves,
                rollout.openWaves < waves.size() ? "rollout.wave-open" : "rollout.complete");
    }

    /**
     * The newest open wave when it has soaked and either installed enough or reached nobody (then the rollout pauses at
     * it); null while it is not done.
     */
    private WaveProgress readyToMoveOn(Rollout rollout, List<RolloutWave> waves, RolloutProgress progress) {
        WaveProgress current = progress.waves().get(rollout.openWaves - 1);
        if (clock.instant().isBefore(current.soakUntil())) {
            return null;
        }
        boolean installedEnough = current.installedPercent() >= waves.get(current.position()).successThreshold
                .doubleValue();
        return current.counts().devices() == 0 || installedEnough ? current : null;
    }

    private void reconcile(String tenantId, Rollout rollout, List<RolloutWave> waves) {
        members.reconcile(tenantId, rollout, waves);
        lastReconciled.put(rollout.id, clock.instant());
    }

    /** Whether this replica last brought the rollout's members in line longer than the reconcile interval ago. */
    private boolean reconcileDue(long id) {
        Instant last = lastReconciled.get(id);
        return last == null || !clock.instant().isBefore(last.plus(reconcileInterval));
    }
}
