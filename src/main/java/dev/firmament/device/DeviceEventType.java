package dev.firmament.device;

import java.util.Locale;

/** What a device's history records, as stored in {@code device_events.type}. */
public enum DeviceEventType {
    /** A check-in was offered an image. */
    OFFERED,
    /** A check-in would have been offered an image that does not fit the free space it reports. */
    WITHHELD,
    /** An image, or part of one, was sent. */
    DOWNLOADED,
    /** The device reports the image it was offered. */
    INSTALLED,
    /** The device still reports another image after the install timeout. */
    FAILED,
    /** A rollout gave up on a device that keeps downloading its image without installing it. */
    QUARANTINED,
    /** A device that had installed a rollout's image checks in without it again. */
    REVERTED;

    /** The stored and displayed name. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
