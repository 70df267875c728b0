package dev.firmament.targeting;

import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;

/**
 * The outcome of one check-in. {@code release} is the release the device's pin or rule points at (also when nothing is
 * offered, for example because it already runs it), or null when nothing matched.
 */
public record Decision(Outcome outcome, Reason reason, ReleaseEntry release, ImageKind kind, Source source,
        Long ruleId) {

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
        PINNED, RULE_MATCHED, NO_MATCHING_RULE, UNKNOWN_PRODUCT, ALREADY_RUNNING, DOWNGRADE_NOT_ALLOWED,
        LARGER_THAN_FREE_SPACE, NO_IMAGE_OF_THAT_KIND, RELEASE_MISSING, BLOCKED;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Which precedence level chose the release. */
    public enum Source {
        PIN, RULE, NONE
    }

    public Image image() {
        return release == null ? null : release.image(kind);
    }

    static Decision none(Reason reason) {
        return new Decision(Outcome.NONE, reason, null, null, Source.NONE, null);
    }
}
