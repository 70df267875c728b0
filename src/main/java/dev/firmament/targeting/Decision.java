package dev.firmament.targeting;

import java.util.UUID;

import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;

/**
 * The outcome of one check-in. {@code release} is the release the device's pin, rollout or rule points at (also when
 * nothing is offered, for example because it already runs it), or null when nothing matched. {@code rolloutId} and
 * {@code wave} say which rollout the device belongs to, also when that rollout holds its release back for now.
 * {@code product} is the product the check-in counts for (null when none is known), so that nothing after the decider
 * has to work it out again.
 */
public record Decision(Outcome outcome, Reason reason, ReleaseEntry release, ImageKind kind, Source source, Long ruleId,
        Long rolloutId, Integer wave, UUID product) {

    public Decision(Outcome outcome, Reason reason, ReleaseEntry release, ImageKind kind, Source source, Long ruleId) {
        this(outcome, reason, release, kind, source, ruleId, null, null, null);
    }

    /** What happens. */
    public enum Outcome {
        /** Send the image. */
        OFFER,
        /** Nothing to send. */
        NONE,
        /** A release is due but may not be sent; recorded with its reason. */
        WITHHELD,
        /** The device is blocked. */
        BLOCKED
    }

    /** Why, as a stable code for events and logs. */
    public enum Reason {
        PINNED, ROLLOUT_WAVE_OPEN, RULE_MATCHED, NO_MATCHING_RULE, UNKNOWN_PRODUCT, ALREADY_RUNNING,
        DOWNGRADE_NOT_ALLOWED, LARGER_THAN_FREE_SPACE, NO_IMAGE_OF_THAT_KIND, RELEASE_MISSING, BLOCKED,
        /** The device's rollout holds its release back: wave not open, paused, outside the window, quarantined. */
        ROLLOUT_WAITING,
        /** The rollout's wave allows only so many downloads at once. */
        DOWNLOAD_CAP_REACHED,
        /** The image's header names another chip than the device's client runs on (an ESP32 image for an ESP8266). */
        WRONG_CHIP,
        /** A gzip-compressed image for a client that cannot unpack one (only the ESP8266 core 2.7+ can). */
        GZIP_NOT_SUPPORTED,
        /** The image was built for more flash than the device reports it has. */
        FLASH_TOO_SMALL;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Which precedence level chose the release. */
    public enum Source {
        PIN, ROLLOUT, RULE, NONE
    }

    public Image image() {
        return release == null ? null : release.image(kind);
    }

    /** The same decision, marked as belonging to a rollout's wave. */
    Decision inRollout(long id, int waveIndex) {
        return new Decision(outcome, reason, release, kind, source, ruleId, id, waveIndex, product);
    }

    /** Nothing now, for a reason that is not the device's fault (a cap reached): the membership stays. */
    Decision waiting(Reason why) {
        return new Decision(Outcome.NONE, why, release, kind, Source.NONE, ruleId, rolloutId, wave, product);
    }

    Decision forProduct(UUID productId) {
        return new Decision(outcome, reason, release, kind, source, ruleId, rolloutId, wave, productId);
    }

    static Decision none(Reason reason) {
        return new Decision(Outcome.NONE, reason, null, null, Source.NONE, null);
    }
}
