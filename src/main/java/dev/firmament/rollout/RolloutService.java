package dev.firmament.rollout;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.firmament.audit.AuditService;
import dev.firmament.db.PageCursor;
import dev.firmament.device.DeviceActivityRecorder;
import dev.firmament.errors.ConflictException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.errors.PlainText;
import dev.firmament.release.Release;
import dev.firmament.rollout.Rollout.State;
import dev.firmament.targeting.FleetChanges;
import dev.firmament.targeting.MacGroup;
import dev.firmament.targeting.VersionComparator;
import dev.firmament.targeting.VersionCondition;
import dev.firmament.tenant.TenantContext;

/**
 * Rollouts of the current tenant: the definition (editable while a draft) and the controls people use. Every change is
 * audited and announced to the decision snapshots in the same transaction. Automatic advancing lives in
 * {@link RolloutEngine}, which uses the same transitions.
 */
@ApplicationScoped
public class RolloutService {

    static final int MAX_WAVES = 20;

    private final EntityManager entityManager;
    private final AuditService audit;
    private final FleetChanges changes;
    private final TenantContext tenants;
    private final RolloutMembers members;
    private final RolloutProgressStore deviceProgress;

    private final InstantSource clock;
    private final DeviceActivityRecorder activity;

    RolloutService(EntityManager entityManager, AuditService audit, FleetChanges changes, TenantContext tenants,
            RolloutMembers members, RolloutProgressStore deviceProgress, InstantSource clock,
            DeviceActivityRecorder activity) {
        this.clock = clock;
        this.activity = activity;
        this.entityManager = entityManager;
        this.audit = audit;
        this.changes = changes;
        this.tenants = tenants;
        this.members = members;
        this.deviceProgress = deviceProgress;
    }

    /**
     * What a rollout is: validated by {@link #create} and {@link #update}.
     *
     * @param startAt
     *            when the engine starts the draft by itself; null to start it by hand
     * @param allowDowngrade
     *            a rollback: the release is older than the product's newest, and devices on newer versions get it too
     */
    public record RolloutSpec(String name, Long releaseId, Integer priority, List<VersionCondition> eligibleVersions,
            List<Long> eligibleGroups, List<WaveSpec> waves, WindowSpec window, Instant startAt,
            boolean allowDowngrade) {
    }

    /** One wave; thresholds are percentages of the wave's devices. */
    public record WaveSpec(String name, List<Long> groups, BigDecimal percent, BigDecimal successThreshold,
            BigDecimal failureThreshold, Integer soakMinutes, Integer maxConcurrentDownloads) {
    }

    /** Days ({@code MON}…{@code SUN}), local times {@code HH:mm}, and an IANA time zone. */
    public record WindowSpec(List<String> days, String from, String to, String timeZone) {
    }

    /** A rollout and its waves, in order. */
    public record RolloutWithWaves(Rollout rollout, List<RolloutWave> waves) {
    }

    @Transactional
    public RolloutWithWaves create(RolloutSpec spec) {
        Rollout rollout = new Rollout();
        rollout.createdAt = clock.instant();
        apply(rollout, spec);
        entityManager.persist(rollout);
        entityManager.flush();
        List<RolloutWave> waves = replaceWaves(rollout, spec.waves());
        audit.record("rollout.create", "rollout", rollout.id.toString(), null, view(rollout, waves));
        return new RolloutWithWaves(rollout, waves);
    }

    /** Replaces the definition of a draft. */
    @Transactional
    public RolloutWithWaves update(long id, RolloutSpec spec) {
        Rollout rollout = lock(id);
        requireState(rollout, "edited", State.DRAFT);
        Map<String, Object> before = view(rollout, waves(id));
        apply(rollout, spec);
        List<RolloutWave> waves = replaceWaves(rollout, spec.waves());
        audit.record("rollout.update", "rollout", rollout.id.toString(), before, view(rollout, waves));
        return new RolloutWithWaves(rollout, waves);
    }

    /** Deletes a draft; a rollout that ran stays as history (abort it instead). */
    @Transactional
    public void delete(long id) {
        Rollout rollout = lock(id);
        requireState(rollout, "deleted (abort it instead)", State.DRAFT);
        audit.record("rollout.delete", "rollout", rollout.id.toString(), view(rollout, waves(id)), null);
        entityManager.createQuery("delete from RolloutWave where rolloutId = ?1").setParameter(1, id).executeUpdate();
        entityManager.remove(rollout);
    }

    @Transactional
    public RolloutWithWaves get(long id) {
        Rollout rollout = entityManager.find(Rollout.class, id);
        if (rollout == null) {
            throw new NotFoundException("Rollout " + id);
        }
        return new RolloutWithWaves(rollout, waves(id));
    }

    @Transactional
    public List<RolloutWithWaves> list(State state) {
        var query = entityManager.createQuery(
                state == null ? "from Rollout order by id desc" : "from Rollout where state = ?1 order by id desc",
                Rollout.class);
        if (state != null) {
            query.setParameter(1, state);
        }
        return query.getResultList().stream().map(r -> new RolloutWithWaves(r, waves(r.id))).toList();
    }

    /**
     * Starts a draft: opens the first wave and records every device the rollout reaches as pending, so that devices
     * that never check in are counted. This replica's unwritten check-ins are written first, so that devices that
     * checked in a moment ago are counted where they belong. A first wave that reaches no device is refused unless
     * {@code force}: it would prove nothing, and the engine would only pause at it.
     */
    public RolloutWithWaves start(long id, boolean force) {
        activity.flush();
        return QuarkusTransaction.requiringNew().call(() -> startNow(id, force));
    }

    private RolloutWithWaves startNow(long id, boolean force) {
        Rollout rollout = lock(id);
        requireState(rollout, "started", State.DRAFT);
        return begin(rollout, force, "rollout.start");
    }

    /**
     * Starts a scheduled draft whose time has come; call with the rollout locked. An empty first wave does not stop it:
     * nobody is there to be asked, and the engine pauses at the empty wave, saying why, which people see.
     */
    RolloutWithWaves startScheduled(Rollout rollout) {
        return begin(rollout, true, "rollout.scheduled-start");
    }

    private RolloutWithWaves begin(Rollout rollout, boolean force, String action) {
        long id = rollout.id;
        Release release = entityManager.find(Release.class, rollout.releaseId);
        if (release == null || release.firmwareSha256 == null) {
            throw new ConflictException("release-without-firmware",
                    "A rollout ships a firmware image; release " + rollout.releaseId + " has none");
        }
        List<RolloutWave> waves = waves(id);
        Map<String, Object> before = view(rollout, waves);
        Instant now = clock.instant();
        rollout.state = State.RUNNING;
        rollout.startedAt = now;
        rollout.startAt = null;
        rollout.openWaves = 1;
        waves.get(0).openedAt = now;
        entityManager.flush();
        String tenantId = tenants.require().toString();
        int reached = members.reconcile(tenantId, rollout, waves);
        long firstWave = deviceProgress.counts(tenantId, id).getOrDefault(0, RolloutProgress.Counts.NONE).devices();
        if (firstWave == 0 && !force) {
            throw new ConflictException("empty-first-wave", waves.get(0).name + " reaches no device, so it cannot"
                    + " hold the rest of the fleet back. Check its groups and eligibility, or start with force to go on"
                    + " without it (the rollout pauses at the empty wave).");
        }
        Map<String, Object> after = view(rollout, waves);
        after.put("devicesReached", reached);
        audit.record(action, "rollout", rollout.id.toString(), before, after);
        changes.currentTenantChanged();
        return new RolloutWithWaves(rollout, waves);
    }

    /** Takes a draft's scheduled start away: it waits to be started by hand. */
    @Transactional
    public RolloutWithWaves unschedule(long id) {
        Rollout rollout = lock(id);
        requireState(rollout, "unscheduled", State.DRAFT);
        List<RolloutWave> waves = waves(id);
        Map<String, Object> before = view(rollout, waves);
        rollout.startAt = null;
        audit.record("rollout.unschedule", "rollout", rollout.id.toString(), before, view(rollout, waves));
        return new RolloutWithWaves(rollout, waves);
    }

    /** Stops new offers; devices already updating finish and are counted. */
    @Transactional
    public RolloutWithWaves pause(long id, String reason) {
        Rollout rollout = lock(id);
        requireState(rollout, "paused", State.RUNNING);
        return transition(rollout, waves(id), "rollout.pause", State.PAUSED, reason);
    }

    /**
     * Resumes a paused rollout. The failures so far count as seen: the failure threshold applies to failures from now
     * on, so a rollout paused by failures does not pause again at once.
     */
    @Transactional
    public RolloutWithWaves resume(long id) {
        Rollout rollout = lock(id);
        requireState(rollout, "resumed", State.PAUSED);
        List<RolloutWave> waves = waves(id);
        Map<Integer, RolloutProgress.Counts> counts = deviceProgress.counts(tenants.require().toString(), id);
        for (RolloutWave wave : waves) {
            if (wave.position < rollout.openWaves) {
                wave.failuresAcknowledged = counts.getOrDefault(wave.position, RolloutProgress.Counts.NONE).failures();
            }
        }
        return transition(rollout, waves, "rollout.resume", State.RUNNING, null);
    }

    /** Ends the rollout: from now on it offers nothing, and its devices are left to the rules. */
    @Transactional
    public RolloutWithWaves abort(long id) {
        Rollout rollout = lock(id);
        requireState(rollout, "aborted", State.RUNNING, State.PAUSED, State.COMPLETED);
        rollout.endedAt = clock.instant();
        return transition(rollout, waves(id), "rollout.abort", State.ABORTED, null);
    }

    /** Opens the next wave now, whatever the thresholds and soak time say; after the last wave, completes. */
    @Transactional
    public RolloutWithWaves advance(long id) {
        Rollout rollout = lock(id);
        requireState(rollout, "advanced", State.RUNNING, State.PAUSED);
        return openNextWave(rollout, waves(id), "rollout.advance");
    }

    /** The rollout's numbers per wave, as the engine sees them. */
    @Transactional
    public RolloutProgress progress(RolloutWithWaves rollout) {
        return progress(rollout.rollout(), rollout.waves(),
                deviceProgress.counts(tenants.require().toString(), rollout.rollout().id));
    }

    /** The progress of each of {@code rollouts}, by rollout id, read in one query. */
    @Transactional
    public Map<Long, RolloutProgress> progress(List<RolloutWithWaves> rollouts) {
        var counts = deviceProgress.counts(tenants.require().toString(),
                rollouts.stream().map(r -> r.rollout().id).toList());
        Map<Long, RolloutProgress> progress = new java.util.HashMap<>();
        for (RolloutWithWaves r : rollouts) {
            progress.put(r.rollout().id,
                    progress(r.rollout(), r.waves(), counts.getOrDefault(r.rollout().id, Map.of())));
        }
        return progress;
    }

    static RolloutProgress progress(Rollout rollout, List<RolloutWave> waves,
            Map<Integer, RolloutProgress.Counts> counts) {
        List<RolloutProgress.WaveProgress> progress = new ArrayList<>();
        RolloutProgress.Counts total = RolloutProgress.Counts.NONE;
        for (RolloutWave wave : waves) {
            RolloutProgress.Counts c = counts.getOrDefault(wave.position, RolloutProgress.Counts.NONE);
            total = total.plus(c);
            long newFailures = Math.max(0, c.failures() - wave.failuresAcknowledged);
            progress.add(new RolloutProgress.WaveProgress(wave.position, wave.name, wave.position < rollout.openWaves,
                    wave.openedAt, wave.openedAt == null ? null : wave.openedAt.plusSeconds(60L * wave.soakMinutes), c,
                    c.installedPercent(), c.devices() == 0 ? 0 : 100.0 * newFailures / c.devices(),
                    wave.failuresAcknowledged));
        }
        return new RolloutProgress(List.copyOf(progress), total);
    }

    /**
     * A page of a rollout's devices, optionally of some states (none: all) or one wave, by wave and MAC after cursor
     * {@code after} (null for the first page).
     */
    @Transactional
    public PageCursor.Slice<RolloutProgress.Member> devices(long id, List<String> states, Integer wave, String after,
            int limit) {
        get(id);
        List<RolloutProgress.Member> rows = deviceProgress.list(tenants.require().toString(), id, states, wave,
                position(after), limit + 1);
        return PageCursor.slice(rows, limit, last -> PageCursor.encode("wave-mac", last.wave(), last.mac()));
    }

    /**
     * Devices of one rollout that newly failed (failed or reverted) or were quarantined: what {@code device.failed} and
     * {@code device.quarantined} announce. {@code macs} names at most 50 of {@code devices}.
     */
    public record DeviceFailures(long rolloutId, String rolloutName, long releaseId, RolloutDeviceState state,
            long devices, List<String> macs, Map<String, Long> reasons) {
    }

    /**
     * The current tenant's device failures not yet announced, of devices that finished after {@code since}, per rollout
     * and state; each is returned once (this transaction marks them), so a caller announces them in it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<DeviceFailures> takeUnannouncedFailures(Instant since) {
        List<DeviceFailures> failures = new ArrayList<>();
        for (var found : deviceProgress.takeUnannounced(tenants.require().toString(), since)) {
            Rollout rollout = entityManager.find(Rollout.class, found.rolloutId());
            failures.add(new DeviceFailures(rollout.id, rollout.name, rollout.releaseId, found.state(), found.devices(),
                    found.macs(), found.reasons()));
        }
        return failures;
    }

    /** The place cursor {@code after} of a rollout's device list stands for; null for the start. */
    static RolloutProgressStore.Position position(String after) {
        List<String> keys = PageCursor.decode(after, "wave-mac", 2);
        if (keys == null) {
            return null;
        }
        try {
            return new RolloutProgressStore.Position(Integer.parseInt(keys.get(0)), keys.get(1));
        } catch (NumberFormatException e) {
            throw PageCursor.notACursor();
        }
    }

    /** Opens the next wave, or completes the rollout when every wave is open. Call with the rollout locked. */
    RolloutWithWaves openNextWave(Rollout rollout, List<RolloutWave> waves, String action) {
        Map<String, Object> before = view(rollout, waves);
        if (rollout.openWaves < waves.size()) {
            waves.get(rollout.openWaves).openedAt = clock.instant();
            rollout.openWaves++;
        } else {
            rollout.state = State.COMPLETED;
            rollout.endedAt = clock.instant();
        }
        if (rollout.state == State.PAUSED) {
            rollout.state = State.RUNNING; // a person advancing a paused rollout means "go on"
            rollout.pausedReason = null;
        }
        audit.record(action, "rollout", rollout.id.toString(), before, view(rollout, waves));
        changes.currentTenantChanged();
        return new RolloutWithWaves(rollout, waves);
    }

    RolloutWithWaves transition(Rollout rollout, List<RolloutWave> waves, String action, State to, String reason) {
        Map<String, Object> before = view(rollout, waves);
        rollout.state = to;
        rollout.pausedReason = to == State.PAUSED ? reason : null;
        audit.record(action, "rollout", rollout.id.toString(), before, view(rollout, waves));
        changes.currentTenantChanged();
        return new RolloutWithWaves(rollout, waves);
    }

    /**
     * The rollout, locked against the engine and other people until the transaction ends. {@code FOR NO KEY UPDATE},
     * not {@code FOR UPDATE}: the device activity writer's foreign-key checks on {@code rollout_devices} take
     * {@code KEY SHARE} on this row, and must not wait for (or deadlock with) a person's or the engine's transaction.
     */
    Rollout lock(long id) {
        List<?> locked = entityManager
                .createNativeQuery("select id from rollouts where tenant_id = ?1 and id = ?2 for no key update")
                .setParameter(1, tenants.require().toString()).setParameter(2, id).getResultList();
        Rollout rollout = locked.isEmpty() ? null : entityManager.find(Rollout.class, id);
        if (rollout == null) {
            throw new NotFoundException("Rollout " + id);
        }
        entityManager.refresh(rollout); // as committed when the lock was taken
        return rollout;
    }

    List<RolloutWave> waves(long rolloutId) {
        return entityManager.createQuery("from RolloutWave where rolloutId = ?1 order by position", RolloutWave.class)
                .setParameter(1, rolloutId).getResultList();
    }

    private static void requireState(Rollout rollout, String verb, State... allowed) {
        for (State state : allowed) {
            if (rollout.state == state) {
                return;
            }
        }
        throw new ConflictException("rollout-state",
                "Rollout " + rollout.id + " is " + rollout.state.code() + " and cannot be " + verb);
    }

    private void apply(Rollout rollout, RolloutSpec spec) {
        if (spec == null) {
            throw new InvalidInputException("missing-body", "A rollout definition is required");
        }
        PlainText.name(spec.name(), "rollout", 100);
        if (spec.releaseId() == null) {
            throw new InvalidInputException("missing-release", "releaseId is required");
        }
        Release release = entityManager.find(Release.class, spec.releaseId());
        if (release == null) {
            throw new InvalidInputException("unknown-release", "No release " + spec.releaseId());
        }
        if (release.firmwareSha256 == null) {
            throw new InvalidInputException("release-without-firmware",
                    "Release " + release.id + " has no firmware image; rollouts ship firmware");
        }
        if (spec.priority() != null && Math.abs(spec.priority()) > 1_000_000) {
            throw new InvalidInputException("invalid-priority", "priority is between -1000000 and 1000000");
        }
        if (spec.waves() == null || spec.waves().isEmpty() || spec.waves().size() > MAX_WAVES) {
            throw new InvalidInputException("invalid-waves", "A rollout has 1 to " + MAX_WAVES + " waves");
        }
        for (int i = 0; i < spec.waves().size(); i++) {
            validateWave(i, spec.waves().get(i));
        }
        requireEveryWaveAddsDevices(spec.waves());
        List<VersionCondition> versions = spec.eligibleVersions() == null ? List.of() : spec.eligibleVersions();
        String contradiction = VersionCondition.contradiction(versions);
        if (contradiction != null) {
            throw new InvalidInputException("empty-version-range",
                    "The eligibility would let no device in: " + contradiction);
        }
        String newest = newestRelease(release);
        if (newest != null && !spec.allowDowngrade()) {
            throw new InvalidInputException("downgrade-not-allowed", "Release " + release.version + " is older than "
                    + newest + ", the product's newest release: a rollout to it is a rollback."
                    + " Set allowDowngrade to offer it to devices on newer versions too (narrow eligibility with"
                    + " versionMax to leave them out).");
        }
        if (spec.startAt() != null && (!spec.startAt().isAfter(clock.instant())
                || spec.startAt().isAfter(clock.instant().plus(java.time.Duration.ofDays(366))))) {
            throw new InvalidInputException("invalid-start-at",
                    "startAt is a time in the next year, was: " + spec.startAt());
        }
        rollout.name = spec.name().strip();
        rollout.releaseId = release.id;
        rollout.productId = release.productId;
        rollout.priority = spec.priority() == null ? 0 : spec.priority();
        rollout.eligibleVersions = new ArrayList<>(versions);
        rollout.startAt = spec.startAt() == null ? null
                : spec.startAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        rollout.allowDowngrade = spec.allowDowngrade();
        rollout.eligibleGroupIds = requireGroups(spec.eligibleGroups(), "eligibility").toArray(Long[]::new);
        applyWindow(rollout, spec.window());
    }

    /** The version of the product's newest release with firmware when it is newer than {@code release}, else null. */
    private String newestRelease(Release release) {
        List<String> versions = entityManager
                .createQuery("select version from Release where productId = ?1 and firmwareSha256 is not null",
                        String.class)
                .setParameter(1, release.productId).getResultList();
        String newest = versions.stream().max(VersionComparator::compare).orElse(release.version);
        return VersionComparator.compare(newest, release.version) > 0 ? newest : null;
    }

    /**
     * A device is in the first wave that selects it, so a wave that can only select devices an earlier wave already
     * took is a mistake: percentages of the same groups (or of the fleet) that do not grow, a group named again after a
     * wave took all of it, anything after a wave of the whole fleet.
     */
    private static void requireEveryWaveAddsDevices(List<WaveSpec> waves) {
        Map<Set<Long>, BigDecimal> largestShare = new HashMap<>();
        Map<Long, Integer> takenWhole = new HashMap<>();
        for (int i = 0; i < waves.size(); i++) {
            WaveSpec wave = waves.get(i);
            String which = "Wave " + (i + 1);
            Set<Long> groups = wave.groups() == null ? Set.of() : Set.copyOf(wave.groups());
            BigDecimal share = wave.percent() == null ? HUNDRED : wave.percent();
            BigDecimal fleetShare = largestShare.get(Set.<Long> of());
            if (fleetShare != null && fleetShare.compareTo(HUNDRED) == 0) {
                throw new InvalidInputException("invalid-waves",
                        which + " reaches nobody: an earlier wave already takes the whole fleet");
            }
            for (Long group : groups) {
                if (takenWhole.containsKey(group)) {
                    throw new InvalidInputException("invalid-waves", which + " names group " + group + " again: wave "
                            + (takenWhole.get(group) + 1) + " already takes all of it");
                }
            }
            BigDecimal earlier = largestShare.get(groups);
            if (earlier != null && share.compareTo(earlier) <= 0) {
                throw new InvalidInputException("invalid-waves",
                        which + " (" + share.stripTrailingZeros().toPlainString()
                                + " %) adds nobody: percentages are cumulative, and an earlier wave of the same "
                                + (groups.isEmpty() ? "fleet" : "groups") + " already reaches "
                                + earlier.stripTrailingZeros().toPlainString() + " %");
            }
            largestShare.put(groups, share);
            if (share.compareTo(HUNDRED) == 0) {
                for (Long group : groups) {
                    takenWhole.putIfAbsent(group, i);
                }
            }
        }
    }

    private void validateWave(int index, WaveSpec wave) {
        String which = "Wave " + (index + 1);
        if (wave == null) {
            throw new InvalidInputException("invalid-wave", which + " is empty");
        }
        if (wave.name() != null) {
            PlainText.name(wave.name(), "wave", 100);
        }
        boolean hasGroups = wave.groups() != null && !wave.groups().isEmpty();
        if (!hasGroups && wave.percent() == null) {
            throw new InvalidInputException("invalid-wave", which + " selects nobody: give groups, a percent or both");
        }
        if (wave.percent() != null && (wave.percent().signum() <= 0 || wave.percent().compareTo(HUNDRED) > 0
                || wave.percent().scale() > 2)) {
            throw new InvalidInputException("invalid-wave",
                    which + ": percent is above 0 and at most 100, with at most two decimals");
        }
        requirePercent(which + ": successThreshold", wave.successThreshold());
        requirePercent(which + ": failureThreshold", wave.failureThreshold());
        if (wave.soakMinutes() != null && (wave.soakMinutes() < 0 || wave.soakMinutes() > 60 * 24 * 90)) {
            throw new InvalidInputException("invalid-wave", which + ": soakMinutes is 0 to 129600 (90 days)");
        }
        if (wave.maxConcurrentDownloads() != null && wave.maxConcurrentDownloads() < 1) {
            throw new InvalidInputException("invalid-wave", which + ": maxConcurrentDownloads is at least 1");
        }
    }

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private static void requirePercent(String what, BigDecimal value) {
        if (value != null && (value.signum() < 0 || value.compareTo(HUNDRED) > 0 || value.scale() > 2)) {
            throw new InvalidInputException("invalid-wave", what + " is a percentage from 0 to 100");
        }
    }

    private List<Long> requireGroups(List<Long> ids, String where) {
        List<Long> groups = ids == null ? List.of() : ids.stream().distinct().toList();
        for (Long groupId : groups) {
            if (groupId == null || entityManager.find(MacGroup.class, groupId) == null) {
                throw new InvalidInputException("unknown-group", "No group " + groupId + " (" + where + ")");
            }
        }
        return groups;
    }

    private static void applyWindow(Rollout rollout, WindowSpec window) {
        if (window == null) {
            rollout.windowDays = null;
            rollout.windowFrom = null;
            rollout.windowTo = null;
            rollout.windowZone = null;
            return;
        }
        if (window.days() == null || window.days().isEmpty()) {
            throw new InvalidInputException("invalid-window", "A delivery window names at least one day (MON…SUN)");
        }
        List<Integer> days = new ArrayList<>();
        for (String day : window.days()) {
            days.add(dayOfWeek(day).getValue());
        }
        LocalTime from = time(window.from(), "from");
        LocalTime to = time(window.to(), "to");
        if (from.equals(to)) {
            throw new InvalidInputException("invalid-window", "A delivery window's from and to differ");
        }
        try {
            rollout.windowZone = ZoneId.of(window.timeZone() == null ? "UTC" : window.timeZone()).getId();
        } catch (java.time.DateTimeException e) {
            throw new InvalidInputException("invalid-window", "Unknown time zone " + window.timeZone());
        }
        rollout.windowDays = days.stream().distinct().sorted().toArray(Integer[]::new);
        rollout.windowFrom = from;
        rollout.windowTo = to;
    }

    private static DayOfWeek dayOfWeek(String day) {
        if (day != null) {
            String code = day.trim().toUpperCase(Locale.ROOT);
            for (DayOfWeek candidate : DayOfWeek.values()) {
                if (candidate.name().startsWith(code) && code.length() >= 3) {
                    return candidate;
                }
            }
        }
        throw new InvalidInputException("invalid-window", "Not a day of the week: " + day + " (MON…SUN)");
    }

    private static LocalTime time(String value, String field) {
        try {
            return LocalTime.parse(value == null ? "" : value);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("invalid-window",
                    "window." + field + " is a time like 02:30, was: " + value);
        }
    }

    private List<RolloutWave> replaceWaves(Rollout rollout, List<WaveSpec> specs) {
        entityManager.createQuery("delete from RolloutWave where rolloutId = ?1").setParameter(1, rollout.id)
                .executeUpdate();
        List<RolloutWave> waves = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            WaveSpec spec = specs.get(i);
            RolloutWave wave = new RolloutWave();
            wave.rolloutId = rollout.id;
            wave.position = i;
            wave.name = spec.name() == null ? "Wave " + (i + 1) : spec.name().strip();
            wave.groupIds = requireGroups(spec.groups(), "wave " + (i + 1)).toArray(Long[]::new);
            wave.percent = spec.percent();
            wave.successThreshold = spec.successThreshold() == null ? DEFAULT_SUCCESS : spec.successThreshold();
            wave.failureThreshold = spec.failureThreshold() == null ? DEFAULT_FAILURE : spec.failureThreshold();
            wave.soakMinutes = spec.soakMinutes() == null ? DEFAULT_SOAK_MINUTES : spec.soakMinutes();
            wave.maxConcurrentDownloads = spec.maxConcurrentDownloads();
            entityManager.persist(wave);
            waves.add(wave);
        }
        entityManager.flush();
        return waves;
    }

    static final BigDecimal DEFAULT_SUCCESS = BigDecimal.valueOf(90);
    static final BigDecimal DEFAULT_FAILURE = BigDecimal.valueOf(10);
    static final int DEFAULT_SOAK_MINUTES = 60;

    /** The audited shape of a rollout. */
    static Map<String, Object> view(Rollout rollout, List<RolloutWave> waves) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", rollout.name);
        view.put("releaseId", rollout.releaseId);
        view.put("priority", rollout.priority);
        view.put("state", rollout.state.code());
        view.put("openWaves", rollout.openWaves);
        view.put("eligibleVersions", rollout.eligibleVersions);
        view.put("eligibleGroups", List.of(rollout.eligibleGroupIds));
        if (rollout.startAt != null) {
            view.put("startAt", rollout.startAt.toString());
        }
        if (rollout.allowDowngrade) {
            view.put("allowDowngrade", true);
        }
        if (rollout.windowDays != null) {
            view.put("window", Map.of("days", List.of(rollout.windowDays), "from", rollout.windowFrom.toString(), "to",
                    rollout.windowTo.toString(), "timeZone", rollout.windowZone));
        }
        if (rollout.pausedReason != null) {
            view.put("pausedReason", rollout.pausedReason);
        }
        List<Map<String, Object>> waveViews = new ArrayList<>();
        for (RolloutWave wave : waves) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("name", wave.name);
            w.put("groups", List.of(wave.groupIds));
            w.put("percent", wave.percent);
            w.put("successThreshold", wave.successThreshold);
            w.put("failureThreshold", wave.failureThreshold);
            w.put("soakMinutes", wave.soakMinutes);
            w.put("maxConcurrentDownloads", wave.maxConcurrentDownloads);
            waveViews.add(w);
        }
        view.put("waves", waveViews);
        return view;
    }
}
