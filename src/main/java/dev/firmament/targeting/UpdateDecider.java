package dev.firmament.targeting;

import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import java.util.UUID;

import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.Decision.Reason;
import dev.firmament.targeting.Decision.Source;
import dev.firmament.targeting.DeviceReport.Mode;
import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.PinEntry;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;
import dev.firmament.targeting.TargetingSnapshot.RolloutEntry;
import dev.firmament.targeting.TargetingSnapshot.RuleEntry;

/**
 * Decides what a device should get: a pure function of its report, its tenant's snapshot and the time. Precedence: a
 * MAC pin; then the rollout the device belongs to, if its wave is open; then the ordered rules, first match wins
 * (NoFUSS semantics) — except that a rule cannot hand out a release that the device's rollout is holding back. Whatever
 * is chosen is never the image the device already runs, never larger than its free space, and never a downgrade unless
 * the pin, rule or rollback rollout allows it.
 */
public final class UpdateDecider {

    private UpdateDecider() {
    }

    /**
     * @param keyDefaultProduct
     *            the product of the device key, used when neither the request nor a person named one
     */
    public static Decision decide(DeviceReport report, TargetingSnapshot snapshot, UUID keyDefaultProduct) {
        return decide(report, snapshot, keyDefaultProduct, Instant.now(), NO_CAP);
    }

    public static Decision decide(DeviceReport report, TargetingSnapshot snapshot, UUID keyDefaultProduct,
            Instant now) {
        return decide(report, snapshot, keyDefaultProduct, now, NO_CAP);
    }

    /** Whether a rollout's wave has as many downloads under way as its cap allows (runtime state, not the snapshot). */
    @FunctionalInterface
    public interface DownloadCap {
        boolean reached(RolloutEntry rollout);
    }

    static final DownloadCap NO_CAP = rollout -> false;

    /**
     * @param cap
     *            asked only when a rollout would send its image: a reached cap makes the answer "nothing now"
     *            ({@link Reason#DOWNLOAD_CAP_REACHED}), also for {@code getAvailableVersion}
     */
    public static Decision decide(DeviceReport report, TargetingSnapshot snapshot, UUID keyDefaultProduct, Instant now,
            DownloadCap cap) {
        UUID product = effectiveProduct(report, snapshot, keyDefaultProduct);
        return choose(report, snapshot, product, now, cap).forProduct(product);
    }

    private static Decision choose(DeviceReport report, TargetingSnapshot snapshot, UUID product, Instant now,
            DownloadCap cap) {
        TargetingSnapshot.DeviceOverride override = snapshot.deviceOverride(report.mac());
        if (override.blocked()) {
            return new Decision(Outcome.BLOCKED, Reason.BLOCKED, null, null, Source.NONE, null);
        }
        ImageKind kind = report.mode() == Mode.FILESYSTEM ? ImageKind.FILESYSTEM : ImageKind.FIRMWARE;

        PinEntry pin = snapshot.pin(report.mac());
        if (pin != null) {
            return check(report, snapshot.releases().get(pin.releaseId()), kind, Source.PIN, null, pin.allowDowngrade(),
                    Reason.PINNED);
        }

        if (product == null) {
            return Decision.none(report.product() != null ? Reason.UNKNOWN_PRODUCT : Reason.NO_MATCHING_RULE);
        }
        Set<Long> groups = snapshot.groupsOf(report.mac());
        Membership membership = rolloutMembership(report, snapshot, product, groups);
        Long heldBack = null;
        if (membership != null) {
            RolloutEntry rollout = membership.rollout();
            if (offersNow(rollout, membership.wave(), report.mac(), now)) {
                Decision byRollout = check(report, snapshot.releases().get(rollout.releaseId()), kind, Source.ROLLOUT,
                        null, rollout.allowDowngrade(), Reason.ROLLOUT_WAVE_OPEN).inRollout(rollout.id(),
                                membership.wave());
                return byRollout.outcome() == Outcome.OFFER && cap.reached(rollout)
                        ? byRollout.waiting(Reason.DOWNLOAD_CAP_REACHED) : byRollout;
            }
            heldBack = rollout.releaseId();
        }
        for (RuleEntry rule : snapshot.rules()) {
            if (matches(rule, product, report, groups)) {
                if (heldBack != null && rule.releaseId() == heldBack) {
                    break;
                }
                Decision byRule = check(report, snapshot.releases().get(rule.releaseId()), kind, Source.RULE, rule.id(),
                        rule.allowDowngrade(), Reason.RULE_MATCHED);
                return membership == null ? byRule : byRule.inRollout(membership.rollout().id(), membership.wave());
            }
        }
        if (membership != null) {
            return Decision.none(Reason.ROLLOUT_WAITING).inRollout(membership.rollout().id(), membership.wave());
        }
        return Decision.none(Reason.NO_MATCHING_RULE);
    }

    /** A device's rollout and wave. */
    public record Membership(RolloutEntry rollout, int wave) {
    }

    /**
     * The rollout a device belongs to: the first in precedence order that it is eligible for, that selects it in one of
     * its waves, and whose release would be an upgrade for it (or, in a rollback, any other release). A device is in at
     * most one rollout; one that already runs the release (or something newer) is in none and is left to the rules.
     */
    public static Membership rolloutMembership(DeviceReport report, TargetingSnapshot snapshot, UUID product,
            Set<Long> groups) {
        if (report.mac() == null) {
            return null; // NoFUSS 0.1 says no MAC: no stable place in a wave
        }
        for (RolloutEntry rollout : snapshot.rolloutsOf(product)) {
            ReleaseEntry release = snapshot.releases().get(rollout.releaseId());
            if (release == null || alreadyRuns(report, release)
                    || (!rollout.allowDowngrade() && report.version() != null
                            && VersionComparator.compare(release.version(), report.version()) < 0)) {
                continue;
            }
            if (!RolloutSelection.eligible(rollout, report, groups)) {
                continue;
            }
            int wave = RolloutSelection.waveOf(rollout, report.mac(), groups);
            if (wave >= 0) {
                return new Membership(rollout, wave);
            }
        }
        return null;
    }

    private static boolean offersNow(RolloutEntry rollout, int wave, String mac, Instant now) {
        if (rollout.quarantined().contains(mac) || (rollout.window() != null && !rollout.window().contains(now))) {
            return false;
        }
        return switch (rollout.phase()) {
        case RUNNING -> wave < rollout.openWaves();
        case COMPLETED -> true;
        case PAUSED -> false;
        };
    }

    /** The product a check-in counts for: the request's, else a person's assignment, else the key's. */
    public static UUID effectiveProduct(DeviceReport report, TargetingSnapshot snapshot, UUID keyDefaultProduct) {
        if (report.product() != null) {
            return snapshot.productsByName().get(report.product());
        }
        UUID assigned = snapshot.deviceOverride(report.mac()).assignedProductId();
        return assigned != null ? assigned : keyDefaultProduct;
    }

    static boolean matches(RuleEntry rule, UUID product, DeviceReport report, Set<Long> groups) {
        if (!rule.productId().equals(product)) {
            return false;
        }
        if (!rule.macs().isEmpty() && (report.mac() == null || !rule.macs().contains(report.mac()))) {
            return false;
        }
        if (!rule.groupIds().isEmpty() && Collections.disjoint(rule.groupIds(), groups)) {
            return false;
        }
        if (!rule.versionConditions().isEmpty()) {
            if (report.version() == null) {
                return false; // a version filter cannot pass for a device that does not say its version
            }
            for (VersionCondition condition : rule.versionConditions()) {
                if (!condition.matches(report.version())) {
                    return false;
                }
            }
        }
        if (rule.buildNot() != null) {
            // As the NoFUSS server: the device must report a build, and a different one.
            return report.build() != null && !report.build().isEmpty() && !report.build().equals(rule.buildNot());
        }
        return true;
    }

    private static Decision check(DeviceReport report, ReleaseEntry release, ImageKind kind, Source source, Long ruleId,
            boolean allowDowngrade, Reason chosenBecause) {
        if (release == null) {
            return new Decision(Outcome.NONE, Reason.RELEASE_MISSING, null, kind, source, ruleId);
        }
        Image image = release.image(kind);
        if (image == null) {
            return new Decision(Outcome.NONE, Reason.NO_IMAGE_OF_THAT_KIND, release, kind, source, ruleId);
        }
        if (alreadyRuns(report, release)) {
            return new Decision(Outcome.NONE, Reason.ALREADY_RUNNING, release, kind, source, ruleId);
        }
        Reason unfit = kind == ImageKind.FIRMWARE ? unfit(report.client(), report.chipSize(), image.hardware()) : null;
        if (unfit != null) {
            return new Decision(Outcome.WITHHELD, unfit, release, kind, source, ruleId);
        }
        if (!allowDowngrade && report.version() != null
                && VersionComparator.compare(release.version(), report.version()) < 0) {
            return new Decision(Outcome.WITHHELD, Reason.DOWNGRADE_NOT_ALLOWED, release, kind, source, ruleId);
        }
        // The free-space header is the firmware partition's; clients check filesystem sizes themselves.
        if (kind == ImageKind.FIRMWARE && report.freeSpace() != null && image.size() > report.freeSpace()) {
            return new Decision(Outcome.WITHHELD, Reason.LARGER_THAN_FREE_SPACE, release, kind, source, ruleId);
        }
        return new Decision(Outcome.OFFER, chosenBecause, release, kind, source, ruleId);
    }

    /**
     * Why the device could not take a firmware image, from the image's header, or null when it can (or the header is
     * unknown: images stored before headers were read). ESP8266 clients (the header protocol's and NoFUSS, which runs
     * on the ESP8266 core) take ESP8266 images, also gzip; ESP32 clients take ESP32-family images, never gzip. The
     * flash size an ESP8266 image was built for must fit the flash the device reports, as the core's {@code Updater}
     * checks after the download ({@code -107}). Rollout previews and holds ask the same of stored devices.
     */
    public static Reason unfit(DeviceReport.Client client, Long chipSize, TargetingSnapshot.Hardware hardware) {
        if (hardware == null) {
            return null;
        }
        boolean esp32Image = "esp32-app".equals(hardware.format());
        if (client == DeviceReport.Client.ESP32) {
            return "gzip".equals(hardware.format()) ? Reason.GZIP_NOT_SUPPORTED : esp32Image ? null : Reason.WRONG_CHIP;
        }
        if (esp32Image) {
            return Reason.WRONG_CHIP;
        }
        if (hardware.flashSize() != null && chipSize != null && hardware.flashSize() > chipSize) {
            return Reason.FLASH_TOO_SMALL;
        }
        return null;
    }

    /**
     * The running firmware's MD5 is the surest sign; the version string is the fallback (a gzip image's MD5 never
     * equals what ends up in flash). A device running the release's firmware also has its filesystem: NoFUSS and
     * {@code updateFS} callers update the filesystem first and the firmware second.
     */
    private static boolean alreadyRuns(DeviceReport report, ReleaseEntry release) {
        if (report.sketchMd5() != null && release.firmware() != null
                && report.sketchMd5().equals(release.firmware().md5())) {
            return true;
        }
        return report.version() != null && VersionComparator.compare(report.version(), release.version()) == 0;
    }
}
