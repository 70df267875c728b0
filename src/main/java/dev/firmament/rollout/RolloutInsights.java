package dev.firmament.rollout;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.format.Bytes;
import dev.firmament.release.ImageHeader;
import dev.firmament.release.Release;
import dev.firmament.rollout.Rollout.State;
import dev.firmament.rollout.RolloutMembers.Reached;
import dev.firmament.rollout.RolloutProgressStore.HeldRow;
import dev.firmament.rollout.RolloutService.RolloutWithWaves;
import dev.firmament.targeting.Decision.Reason;
import dev.firmament.targeting.DeliveryWindow;
import dev.firmament.targeting.TargetingSnapshot.Hardware;
import dev.firmament.targeting.UpdateDecider;
import dev.firmament.targeting.VersionComparator;
import dev.firmament.tenant.TenantContext;

/**
 * What a rollout will do and why it is not doing more: the preview of a draft (who each wave reaches, what will hold
 * some back) and the holds of a running rollout (why each device that has not installed is where it is). Both are
 * computed from the database as it is, with the decider's own membership rule.
 */
@ApplicationScoped
public class RolloutInsights {

    /** Devices not seen for longer than this are called out before a start. */
    static final Duration STALE = Duration.ofDays(7);
    /** MACs listed per warning or hold; the counts are whole. */
    static final int SAMPLE = 100;

    /** Hold reasons, in the order they are tried: the first that applies is the device's. */
    public static final List<String> HOLD_REASONS = List.of("already-installed", "failed", "quarantined", "reverted",
            "blocked", "pinned", "updating", "wave-not-open", "rollout-paused", "rollout-ended", "never-seen",
            "not-seen-since-start", "wrong-chip", "gzip-not-supported", "flash-too-small", "larger-than-free-space",
            "outside-window", "download-cap", "waiting");

    private final EntityManager entityManager;
    private final TenantContext tenants;
    private final RolloutService rollouts;
    private final RolloutMembers members;
    private final RolloutProgressStore deviceProgress;
    private final InstantSource clock;

    RolloutInsights(EntityManager entityManager, TenantContext tenants, RolloutService rollouts, RolloutMembers members,
            RolloutProgressStore deviceProgress, InstantSource clock) {
        this.entityManager = entityManager;
        this.tenants = tenants;
        this.rollouts = rollouts;
        this.members = members;
        this.deviceProgress = deviceProgress;
        this.clock = clock;
    }

    /** Who each wave reaches now, and their versions. */
    public record WavePreview(int position, String name, long devices, Map<String, Long> versions, long neverSeen) {
    }

    /** Something that will hold devices back or that a team should know before it starts. */
    public record Warning(String code, String message, long devices, List<String> macs) {
    }

    public record Preview(List<WavePreview> waves, List<Warning> warnings) {
    }

    /** Why the devices of a wave that have not installed are where they are, counted per reason. */
    public record WaveHolds(int position, String name, Map<String, Long> holds) {
    }

    public record Holds(List<WaveHolds> waves) {
    }

    /** One device and why it is held. */
    public record HeldDevice(String mac, int wave, String state, String hold, Instant lastSeen) {
    }

    /**
     * The rollout's reach as it would be if it started now (a running rollout: as it is now): the devices each wave
     * reaches, and warnings — the image larger than the free space devices report, devices already on the release (or
     * newer), pinned or blocked ones (which get nothing from it), and devices not seen for a week or never.
     */
    @Transactional
    public Preview preview(long id) {
        RolloutWithWaves rollout = rollouts.get(id);
        Rollout r = rollout.rollout();
        String tenantId = tenants.require().toString();
        Instant now = clock.instant();
        List<Reached> reached = members.reach(tenantId, r, rollout.waves(), now);
        Release release = entityManager.find(Release.class, r.releaseId);

        List<WavePreview> waves = new ArrayList<>();
        for (RolloutWave wave : rollout.waves()) {
            Map<String, Long> versions = new TreeMap<>(VersionComparator::compare);
            long devices = 0;
            long neverSeen = 0;
            for (Reached device : reached) {
                if (device.wave() != wave.position || device.pinned() || device.blocked()) {
                    continue;
                }
                devices++;
                if (!device.registered()) {
                    neverSeen++;
                } else if (device.version() != null) {
                    versions.merge(device.version(), 1L, Long::sum);
                }
            }
            waves.add(new WavePreview(wave.position, wave.name, devices, versions, neverSeen));
        }

        List<Warning> warnings = new ArrayList<>();
        long size = release.firmwareSize == null ? 0 : release.firmwareSize;
        Hardware hardware = hardware(release);
        List<Reached> offerable = reached.stream().filter(d -> d.registered() && !d.pinned() && !d.blocked()).toList();
        ImageHeader header = release.firmwareHeader();
        warn(warnings, "wrong-chip",
                "The image is " + (header == null ? "" : header.describe())
                        + ": these devices run another chip and will be withheld it",
                unfit(offerable, hardware, Reason.WRONG_CHIP));
        warn(warnings, "gzip-not-supported",
                "The image is gzip-compressed, which only the ESP8266 core unpacks: these ESP32 devices will be"
                        + " withheld it",
                unfit(offerable, hardware, Reason.GZIP_NOT_SUPPORTED));
        warn(warnings, "flash-too-small",
                "The image was built for "
                        + Bytes.human(hardware == null || hardware.flashSize() == null ? 0 : hardware.flashSize())
                        + " of flash, more than these devices report: they will be withheld it",
                unfit(offerable, hardware, Reason.FLASH_TOO_SMALL));
        warn(warnings, "larger-than-free-space",
                "The " + Bytes.human(size) + " image is larger than the free space these devices report: they will"
                        + " be withheld it and stay pending",
                reached.stream()
                        .filter(d -> !d.pinned() && !d.blocked() && d.freeSpace() != null && d.freeSpace() < size)
                        .map(Reached::mac).toList());
        warn(warnings, "already-on-release-or-newer",
                (r.allowDowngrade ? "Already on " + release.version : "Already on " + release.version + " or newer")
                        + ": not in the rollout",
                members.alreadyOn(tenantId, r.productId, release.version, release.firmwareMd5, !r.allowDowngrade));
        warn(warnings, "pinned", "Pinned to a release: the pin decides for them, not the rollout",
                reached.stream().filter(Reached::pinned).map(Reached::mac).toList());
        warn(warnings, "blocked", "Blocked: they are offered nothing",
                reached.stream().filter(d -> d.blocked() && !d.pinned()).map(Reached::mac).toList());
        warn(warnings, "not-seen-for-a-week",
                "Not seen for more than a week: they count in their wave, and hold" + " it back until they install",
                reached.stream().filter(
                        d -> d.registered() && !d.pinned() && !d.blocked() && d.lastSeen().isBefore(now.minus(STALE)))
                        .map(Reached::mac).toList());
        warn(warnings, "never-seen",
                "Members of the rollout's groups that never checked in: they count in their"
                        + " wave, and hold it back until they install",
                reached.stream().filter(d -> !d.registered() && !d.pinned()).map(Reached::mac).toList());
        if (!waves.isEmpty() && waves.get(0).devices() == 0) {
            warnings.add(0, new Warning("empty-first-wave", waves.get(0).name() + " reaches no device: the rollout"
                    + " cannot start unless forced, and then pauses at it", 0, List.of()));
        }
        return new Preview(waves, warnings);
    }

    /** The devices the decider withholds the image from for {@code reason}, by its own hardware check. */
    private static List<String> unfit(List<Reached> devices, Hardware hardware, Reason reason) {
        return devices.stream().filter(d -> UpdateDecider.unfit(d.client(), d.chipSize(), hardware) == reason)
                .map(Reached::mac).toList();
    }

    private static Hardware hardware(Release release) {
        return release.firmwareFormat == null ? null
                : new Hardware(release.firmwareFormat, release.firmwareChip, release.firmwareFlashSize);
    }

    private static void warn(List<Warning> warnings, String code, String message, List<String> macs) {
        if (!macs.isEmpty()) {
            warnings.add(new Warning(code, message, macs.size(), macs.stream().limit(SAMPLE).toList()));
        }
    }

    /** Per wave, how many of its devices are held by each reason (see {@link #HOLD_REASONS}). */
    @Transactional
    public Holds holds(long id) {
        RolloutWithWaves rollout = rollouts.get(id);
        Map<Integer, Map<String, Long>> counts = new TreeMap<>();
        for (RolloutWave wave : rollout.waves()) {
            counts.put(wave.position, new LinkedHashMap<>());
        }
        for (HeldDevice device : held(rollout)) {
            counts.computeIfAbsent(device.wave(), w -> new LinkedHashMap<>()).merge(device.hold(), 1L, Long::sum);
        }
        List<WaveHolds> waves = new ArrayList<>();
        for (RolloutWave wave : rollout.waves()) {
            Map<String, Long> ordered = new LinkedHashMap<>();
            Map<String, Long> ofWave = counts.get(wave.position);
            HOLD_REASONS.forEach(reason -> {
                if (ofWave.containsKey(reason)) {
                    ordered.put(reason, ofWave.get(reason));
                }
            });
            waves.add(new WaveHolds(wave.position, wave.name, ordered));
        }
        return new Holds(waves);
    }

    /**
     * The devices held by {@code reason} (one of {@link #HOLD_REASONS}, else 400), optionally of one wave, by wave and
     * MAC after cursor {@code after}; at most {@code limit}.
     */
    @Transactional
    public PageCursor.Slice<HeldDevice> heldBy(long id, String reason, Integer wave, String after, int limit) {
        if (!HOLD_REASONS.contains(reason)) {
            throw new InvalidInputException("invalid-hold", "Unknown hold " + reason + "; one of " + HOLD_REASONS);
        }
        RolloutProgressStore.Position start = RolloutService.position(after);
        List<HeldDevice> rows = held(rollouts.get(id)).stream()
                .filter(d -> d.hold().equals(reason) && (wave == null || d.wave() == wave))
                .filter(d -> start == null || start.before(d.wave(), d.mac())).limit(limit + 1L).toList();
        return PageCursor.slice(rows, limit, last -> PageCursor.encode("wave-mac", last.wave(), last.mac()));
    }

    private List<HeldDevice> held(RolloutWithWaves rollout) {
        Rollout r = rollout.rollout();
        Instant now = clock.instant();
        Release release = entityManager.find(Release.class, r.releaseId);
        long size = release.firmwareSize == null ? 0 : release.firmwareSize;
        Hardware hardware = hardware(release);
        DeliveryWindow window = r.windowDays == null ? null
                : DeliveryWindow.of(r.windowDays, r.windowFrom, r.windowTo, r.windowZone);
        List<HeldDevice> held = new ArrayList<>();
        for (HeldRow row : deviceProgress.held(tenants.require().toString(), r.id)) {
            RolloutWave wave = row.wave() < rollout.waves().size() ? rollout.waves().get(row.wave()) : null;
            held.add(new HeldDevice(row.mac(), row.wave(), row.state(),
                    reason(r, wave, row, hardware, size, window, now), row.lastSeen()));
        }
        return held;
    }

    private static String reason(Rollout rollout, RolloutWave wave, HeldRow row, Hardware hardware, long size,
            DeliveryWindow window, Instant now) {
        switch (row.state()) {
        case "installed":
            return "already-installed";
        case "failed", "quarantined", "reverted":
            return row.state();
        default:
            break;
        }
        if (row.blocked()) {
            return "blocked";
        }
        if (row.pinned()) {
            return "pinned";
        }
        if (row.state().equals("offered") || row.state().equals("downloaded")) {
            return "updating"; // also in a paused rollout: a download under way finishes and is counted
        }
        if (rollout.state == State.DRAFT || row.wave() >= rollout.openWaves) {
            return "wave-not-open";
        }
        if (rollout.state == State.PAUSED) {
            return "rollout-paused";
        }
        if (rollout.state == State.ABORTED) {
            return "rollout-ended";
        }
        if (row.lastSeen() == null) {
            return "never-seen";
        }
        if (wave != null && wave.openedAt != null && row.lastSeen().isBefore(wave.openedAt)) {
            return "not-seen-since-start";
        }
        Reason unfit = UpdateDecider.unfit(row.client(), row.chipSize(), hardware);
        if (unfit != null) {
            return unfit.code();
        }
        if (row.freeSpace() != null && row.freeSpace() < size) {
            return "larger-than-free-space";
        }
        if (window != null && !window.contains(now)) {
            return "outside-window";
        }
        if (wave != null && wave.maxConcurrentDownloads != null) {
            return "download-cap";
        }
        return "waiting";
    }
}
