package dev.firmament.audit;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.core.Response;

import dev.firmament.format.ExportDownload;

/**
 * A chain's events as CSV or NDJSON, oldest first, streamed from the database. Every stored field is there, hashes
 * included, and NDJSON keeps {@code before} and {@code after} as the exact JSON texts that were hashed: an NDJSON
 * export plus the checkpoints is what an auditor verifies offline.
 */
public final class AuditExport {

    public static final List<String> COLUMNS = List.of("seq", "id", "at", "actor_type", "actor_id", "actor_name",
            "action", "target_type", "target_id", "before", "after", "request_id", "ip", "user_agent", "prev_hash",
            "hash");

    private AuditExport() {
    }

    /**
     * The download: the events of {@code chain} matching {@code query} in {@code format} ({@code csv}, {@code ndjson}).
     */
    public static Response download(AuditService audit, UUID chain, AuditService.Query query, String format,
            String name) {
        return ExportDownload.of(format, name, COLUMNS,
                sink -> audit.export(chain, query,
                        e -> sink.row(e.seq(), e.id(), e.at(), e.actorType(), e.actorId(), e.actorName(), e.action(),
                                e.targetType(), e.targetId(), e.before(), e.after(), e.requestId(), e.ip(),
                                e.userAgent(), e.prevHash(), e.hash())));
    }
}
