package dev.firmament.webhook;

import java.time.Instant;
import java.util.Map;

/**
 * One thing to tell subscribers: what happened ({@code type}), to what ({@code object}, with its {@code type} and
 * {@code id}), by whom, when, and where in the console to look ({@code consolePath}, below the tenant's console).
 * {@code summary} is the sentence chat channels show; {@code details} go into the standard payload's data as they are.
 */
public record Notice(WebhookEventType type, Map<String, Object> object, Map<String, Object> actor, Instant at,
        String consolePath, String summary, Map<String, Object> details) {
}
