package dev.firmament.webhook;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a webhook subscription can ask to be told, by the type name its payload carries. */
public enum WebhookEventType {
    ROLLOUT_STARTED("rollout.started", "A rollout started (by a person or at its scheduled time)"),
    ROLLOUT_WAVE_OPENED("rollout.wave-opened", "A rollout opened its next wave"),
    ROLLOUT_PAUSED("rollout.paused", "A rollout paused, by itself (with the reason and the numbers) or by a person"),
    ROLLOUT_RESUMED("rollout.resumed", "A paused rollout was resumed"),
    ROLLOUT_COMPLETED("rollout.completed", "A rollout opened its last wave to everyone it reaches"),
    ROLLOUT_ABORTED("rollout.aborted", "A rollout was aborted"),
    DEVICE_FAILED("device.failed", "Devices of a rollout failed to install (one message per rollout per interval)"),
    DEVICE_QUARANTINED("device.quarantined",
            "Devices of a rollout were quarantined for an update loop (one message per rollout per interval)"),
    RELEASE_CREATED("release.created", "A release was uploaded"),
    DEVICE_KEY_CREATED("device-key.created", "A device key was created"), TEST("test", "A test event, sent on request");

    /** Every type's name, in order. */
    public static final List<String> CODES = Arrays.stream(values()).map(WebhookEventType::code).toList();

    private final String code;
    private final String description;

    WebhookEventType(String code, String description) {
        this.code = code;
        this.description = description;
    }

    public String code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Optional<WebhookEventType> of(String code) {
        return Arrays.stream(values()).filter(type -> type.code.equals(code)).findFirst();
    }
}
