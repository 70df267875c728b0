package dev.firmament.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

import dev.firmament.db.PageCursor;
import dev.firmament.db.SqlFilter;
import dev.firmament.errors.ServiceUnavailableException;
import dev.firmament.release.artifact.ArtifactStore;

/**
 * Anchors the audit chains outside the database. Each checkpoint signs a chain's head with a key the database never
 * holds and goes to the object store as a write-once record, so whoever rewrites or cuts the chain in the database
 * cannot make the checkpoints agree. The {@code audit_checkpoints} rows, owned here, list them for convenience.
 */
@ApplicationScoped
public class AuditCheckpoints {

    private static final Logger LOG = Logger.getLogger(AuditCheckpoints.class);

    private final EntityManager entityManager;
    private final AuditService audit;
    private final AuditSigningKey key;
    private final ArtifactStore store;
    private final InstantSource clock;
    private final Counter failures;

    AuditCheckpoints(EntityManager entityManager, AuditService audit, AuditSigningKey key, ArtifactStore store,
            InstantSource clock, MeterRegistry meters) {
        this.entityManager = entityManager;
        this.audit = audit;
        this.key = key;
        this.store = store;
        this.clock = clock;
        this.failures = Counter.builder("firmament.audit.checkpoint.failures")
                .description("Scheduled audit checkpoints that could not be written (the store was unavailable)")
                .register(meters);
    }

    /** Every chain whose head moved since its last checkpoint gets one; replicas racing for a chain agree. */
    @Scheduled(every = "${firmament.audit.checkpoint-interval}", delayed = "${firmament.audit.checkpoint-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkpointEveryChain() {
        for (AuditService.Head head : audit.heads()) {
            try {
                checkpoint(head);
            } catch (IOException | RuntimeException e) {
                failures.increment();
                LOG.warnf("Could not checkpoint the audit chain %s at event %d: %s", head.chain(), head.seq(), e);
            }
        }
    }

    /**
     * A checkpoint of the chain's head now: a new one, or the one the head already has. Empty for a chain without
     * events.
     *
     * @throws ServiceUnavailableException
     *             when the object store cannot take it
     */
    public Optional<AuditCheckpoint> checkpoint(UUID chain) {
        Optional<AuditService.Head> head = audit.head(chain);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(checkpoint(head.get()));
        } catch (IOException e) {
            throw storeUnavailable(e);
        }
    }

    private AuditCheckpoint checkpoint(AuditService.Head head) throws IOException {
        String chain = head.chain().toString();
        Optional<AuditCheckpoint> listed = listed(chain, head.seq());
        if (listed.isPresent()) {
            return listed.get();
        }
        AuditCheckpoint unsigned = new AuditCheckpoint(chain, head.seq(), head.hash(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS), key.keyId(), "");
        AuditCheckpoint signed = new AuditCheckpoint(chain, head.seq(), head.hash(), unsigned.at(), key.keyId(),
                Base64.getEncoder().encodeToString(key.sign(unsigned.message())));
        if (!store.putRecord(signed.object(), signed.text().getBytes(StandardCharsets.UTF_8))) {
            // Another replica (or an attempt whose listing failed) stored this head first: theirs is the checkpoint.
            signed = AuditCheckpoint
                    .parse(new String(store.readRecord(signed.object()).orElseThrow(), StandardCharsets.UTF_8));
            if (!signed.hash().equals(head.hash())) {
                // Verification reports this; listing it here would make the database agree with a rewritten chain.
                LOG.errorf("Audit chain %s: event %d has hash %s, but the checkpoint stored for it says %s", chain,
                        head.seq(), head.hash(), signed.hash());
                return signed;
            }
        }
        list(signed);
        return signed;
    }

    private void list(AuditCheckpoint checkpoint) {
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(
                "insert into audit_checkpoints (tenant_id, seq, hash, at, key_id, signature) values (?1, ?2, ?3, ?4, ?5, ?6)"
                        + " on conflict do nothing")
                .setParameter(1, checkpoint.chain()).setParameter(2, checkpoint.seq())
                .setParameter(3, checkpoint.hash()).setParameter(4, Timestamp.from(checkpoint.at()))
                .setParameter(5, checkpoint.keyId()).setParameter(6, checkpoint.signature()).executeUpdate());
    }

    /** A page of the chain's checkpoints as listed in the database, newest first, before cursor {@code after}. */
    @Transactional
    public PageCursor.Slice<AuditCheckpoint> list(UUID chain, String after, int limit) {
        SqlFilter filter = new SqlFilter("tenant_id = ?", chain.toString());
        filter.and("seq < ?", PageCursor.decodeNumber(after, "seq"));
        return PageCursor.slice(rows(filter, limit + 1), limit, last -> PageCursor.encode("seq", last.seq()));
    }

    /** The newest checkpoint the database lists for the chain. */
    @Transactional
    Optional<AuditCheckpoint> newestListed(UUID chain) {
        return rows(new SqlFilter("tenant_id = ?", chain.toString()), 1).stream().findFirst();
    }

    private Optional<AuditCheckpoint> listed(String chain, long seq) {
        return QuarkusTransaction.requiringNew()
                .call(() -> rows(new SqlFilter("tenant_id = ?", chain).and("seq = ?", seq), 1).stream().findFirst());
    }

    private List<AuditCheckpoint> rows(SqlFilter filter, int limit) {
        List<?> rows = filter
                .query(entityManager, "select tenant_id, seq, hash, at, key_id, signature from audit_checkpoints",
                        " order by seq desc limit " + limit)
                .getResultList();
        return rows.stream().map(row -> (Object[]) row).map(r -> new AuditCheckpoint((String) r[0],
                ((Number) r[1]).longValue(), (String) r[2], SqlFilter.instant(r[3]), (String) r[4], (String) r[5]))
                .toList();
    }

    /** What the object store holds as the chain's newest checkpoint: its record's name and text. */
    record Stored(String object, String text) {
    }

    /**
     * The newest checkpoint record in the object store, unparsed: verification names what is wrong with it.
     *
     * @throws ServiceUnavailableException
     *             when the object store cannot be read
     */
    Optional<Stored> newestStored(UUID chain) {
        try {
            List<String> names = store.listRecords(AuditCheckpoint.prefix(chain.toString()));
            if (names.isEmpty()) {
                return Optional.empty();
            }
            String newest = names.get(names.size() - 1);
            return store.readRecord(newest).map(bytes -> new Stored(newest, new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw storeUnavailable(e);
        }
    }

    /** Whether the checkpoint's signature verifies; empty when it names a key this installation does not know. */
    Optional<Boolean> signatureValid(AuditCheckpoint checkpoint) {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(checkpoint.signature());
        } catch (IllegalArgumentException e) {
            return Optional.of(false);
        }
        return key.verify(checkpoint.keyId(), checkpoint.message(), signature);
    }

    private static ServiceUnavailableException storeUnavailable(IOException e) {
        LOG.warnf("Audit checkpoints: the object store is unavailable: %s", e);
        return new ServiceUnavailableException("storage-unavailable",
                "The object store that keeps the audit checkpoints is unavailable for the moment. Try again shortly.",
                30);
    }
}
