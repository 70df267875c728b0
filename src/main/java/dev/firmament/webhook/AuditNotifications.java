package dev.firmament.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.firmament.audit.AuditEvent;
import dev.firmament.audit.AuditRecorded;
import dev.firmament.tenant.TenantContext;

/**
 * Turns the audited changes that subscribers can ask for into notices, in the transaction of the change: the audit row
 * and the outbox rows commit together or not at all. Everything a notice says comes from the audit row (who, when, the
 * object as it is after the change), so the two never disagree.
 */
@ApplicationScoped
class AuditNotifications {

    private final WebhookOutbox outbox;
    private final ObjectMapper json;

    AuditNotifications(WebhookOutbox outbox, ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    void onAudit(@Observes AuditRecorded recorded) {
        if (recorded.tenant().equals(TenantContext.NO_TENANT)) {
            return;
        }
        AuditEvent event = recorded.event();
        Map<String, Object> after = after(event);
        WebhookEventType type = type(event.action(), after);
        if (type == null) {
            return;
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("type", event.targetType());
        object.put("id", event.targetId());
        object.putAll(after);
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("type", event.actorType());
        actor.put("id", event.actorId());
        actor.put("name", event.actorName());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("auditId", event.id());
        if (type == WebhookEventType.ROLLOUT_PAUSED && after.get("pausedReason") != null) {
            details.put("reason", after.get("pausedReason"));
        }
        outbox.publish(recorded.tenant(),
                new Notice(type, object, actor, event.at(), path(event), summary(type, after, event), details));
    }

    /** The webhook event an audited action is, if any: an advance that opened no further wave completed it. */
    static WebhookEventType type(String action, Map<String, Object> after) {
        return switch (action) {
        case "rollout.start", "rollout.scheduled-start" -> WebhookEventType.ROLLOUT_STARTED;
        case "rollout.wave-open" -> WebhookEventType.ROLLOUT_WAVE_OPENED;
        case "rollout.advance" -> "completed".equals(after.get("state")) ? WebhookEventType.ROLLOUT_COMPLETED
                : WebhookEventType.ROLLOUT_WAVE_OPENED;
        case "rollout.pause" -> WebhookEventType.ROLLOUT_PAUSED;
        case "rollout.resume" -> WebhookEventType.ROLLOUT_RESUMED;
        case "rollout.complete" -> WebhookEventType.ROLLOUT_COMPLETED;
        case "rollout.abort" -> WebhookEventType.ROLLOUT_ABORTED;
        case "release.create" -> WebhookEventType.RELEASE_CREATED;
        case "device-key.create" -> WebhookEventType.DEVICE_KEY_CREATED;
        default -> null;
        };
    }

    private static String path(AuditEvent event) {
        return switch (event.targetType()) {
        case "rollout" -> "/rollouts/" + event.targetId();
        case "release" -> "/releases/" + event.targetId();
        default -> "/settings";
        };
    }

    private static String summary(WebhookEventType type, Map<String, Object> after, AuditEvent event) {
        String name = String.valueOf(after.getOrDefault("name", event.targetId()));
        String by = "system".equals(event.actorType()) ? "" : " by " + event.actorName();
        return switch (type) {
        case ROLLOUT_STARTED -> "Rollout “" + name + "” started" + by;
        case ROLLOUT_WAVE_OPENED -> "Rollout “" + name + "” opened wave " + after.get("openWaves") + by;
        case ROLLOUT_PAUSED -> "Rollout “" + name + "” paused" + by
                + (after.get("pausedReason") == null ? "" : ": " + after.get("pausedReason"));
        case ROLLOUT_RESUMED -> "Rollout “" + name + "” resumed" + by;
        case ROLLOUT_COMPLETED -> "Rollout “" + name + "” completed: every wave is open";
        case ROLLOUT_ABORTED -> "Rollout “" + name + "” aborted" + by;
        case RELEASE_CREATED -> "Release " + after.getOrDefault("version", name) + " uploaded" + by;
        case DEVICE_KEY_CREATED -> "Device key “" + name + "” created" + by;
        default -> type.description();
        };
    }

    private Map<String, Object> after(AuditEvent event) {
        if (event.after() == null) {
            return Map.of();
        }
        try {
            Map<String, Object> after = json.readValue(event.after(),
                    new TypeReference<LinkedHashMap<String, Object>>() {
                    });
            return after == null ? Map.of() : after;
        } catch (JsonProcessingException | ClassCastException e) {
            return Map.of();
        }
    }
}
