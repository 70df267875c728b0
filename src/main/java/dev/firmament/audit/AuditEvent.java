package dev.firmament.audit;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonRawValue;

/** One stored audit row. {@code before}/{@code after} are the JSON texts exactly as hashed, written out as JSON. */
public record AuditEvent(long seq, String id, Instant at, String actorType, String actorId, String actorName,
        String action, String targetType, String targetId, @JsonRawValue String before, @JsonRawValue String after,
        String requestId, String ip, String userAgent, String prevHash, String hash) {
}
