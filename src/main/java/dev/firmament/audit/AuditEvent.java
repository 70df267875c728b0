package dev.firmament.audit;

import java.time.Instant;

/** One stored audit row. {@code before}/{@code after} are the JSON texts exactly as hashed. */
public record AuditEvent(long seq, String id, Instant at, String actorType, String actorId, String actorName,
        String action, String targetType, String targetId, String before, String after, String requestId, String ip,
        String userAgent, String prevHash, String hash) {
}
