package dev.firmament.audit;

import java.util.UUID;

/**
 * An audit row just appended, fired synchronously inside the transaction of the change it records, so an observer's own
 * writes (a webhook delivery in the outbox) commit or roll back with it.
 */
public record AuditRecorded(UUID tenant, AuditEvent event) {
}
