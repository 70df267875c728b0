package dev.firmament.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.jpa.HibernateHints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Arc;

import dev.firmament.db.PageCursor;
import dev.firmament.db.SqlFilter;
import dev.firmament.tenant.TenantContext;

/**
 * The tamper-evident audit trail. Every change is recorded in the transaction that makes it; rows are append-only (a
 * trigger refuses UPDATE, DELETE and TRUNCATE) and chained per tenant: each row's hash covers its content and the
 * previous row's hash, so editing or deleting a row breaks the chain from there on.
 */
@ApplicationScoped
public class AuditService {

    static final String GENESIS = "0".repeat(64);

    private final EntityManager entityManager;
    private final TenantContext tenants;
    private final ObjectMapper json;
    private final InstantSource clock;
    private final Event<AuditRecorded> recorded;

    AuditService(EntityManager entityManager, TenantContext tenants, ObjectMapper json, InstantSource clock,
            Event<AuditRecorded> recorded) {
        this.entityManager = entityManager;
        this.tenants = tenants;
        this.json = json;
        this.clock = clock;
        this.recorded = recorded;
    }

    /**
     * Appends an event to the current tenant's chain (the platform chain outside a tenant); must run inside the
     * transaction of the change it records.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String targetType, String targetId, Object before, Object after) {
        recordFor(tenants.current().orElse(TenantContext.NO_TENANT), action, targetType, targetId, before, after);
    }

    /**
     * Appends an event to the chain of {@code tenant}, named explicitly: for the first changes inside a tenant made by
     * the transaction that creates it (on the platform's side).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordFor(UUID tenant, String action, String targetType, String targetId, Object before, Object after) {
        String tenantId = tenant.toString();
        AuditActor actor = actor();
        // One writer per chain at a time; the lock ends with the transaction.
        entityManager.createNativeQuery("select pg_advisory_xact_lock(hashtext(?1))").setParameter(1, tenantId)
                .getSingleResult();
        Optional<Head> last = head(tenant);
        long seq = last.map(head -> head.seq() + 1).orElse(1L);
        String prevHash = last.map(Head::hash).orElse(GENESIS);
        AuditEvent event = new AuditEvent(seq, UUID.randomUUID().toString(),
                clock.instant().truncatedTo(ChronoUnit.MICROS), actor.type(), actor.id(), actor.name(), action,
                targetType, targetId, toJson(before), toJson(after), actor.requestId(), actor.ip(), actor.userAgent(),
                prevHash, null);
        String hash = hash(event);
        entityManager.createNativeQuery("insert into audit_events (tenant_id, seq, id, at, actor_type, actor_id,"
                + " actor_name, action, target_type, target_id, before, after, request_id, ip, user_agent, prev_hash,"
                + " hash) values (?1, ?2, cast(?3 as uuid), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                + " ?17)").setParameter(1, tenantId).setParameter(2, seq).setParameter(3, event.id())
                .setParameter(4, Timestamp.from(event.at())).setParameter(5, event.actorType())
                .setParameter(6, event.actorId()).setParameter(7, event.actorName()).setParameter(8, action)
                .setParameter(9, targetType).setParameter(10, targetId).setParameter(11, event.before())
                .setParameter(12, event.after()).setParameter(13, event.requestId()).setParameter(14, event.ip())
                .setParameter(15, event.userAgent()).setParameter(16, prevHash).setParameter(17, hash).executeUpdate();
        // Observers (notifications) act in this same transaction: what they write commits or rolls back with the
        // change.
        recorded.fire(new AuditRecorded(tenant, event));
    }

    /** Filter of {@link #query}; null fields match everything. */
    public record Query(String actor, String action, String target, Instant from, Instant to, int limit) {
    }

    /** The current tenant's events, newest first. */
    @Transactional
    public List<AuditEvent> query(Query query) {
        return query(currentChain(), query);
    }

    /**
     * The events of {@code chain} (a tenant's id, or {@link TenantContext#NO_TENANT} for the platform), newest first.
     * Actor and action match anywhere in the text, ignoring case ("rollout" finds every rollout action); the target
     * matches its id exactly.
     */
    @Transactional
    public List<AuditEvent> query(UUID chain, Query query) {
        return filter(chain, query)
                .query(entityManager, SELECT,
                        " order by seq desc limit " + Math.max(1, Math.min(query.limit(), 10_000)))
                .getResultList().stream().map(row -> event((Object[]) row)).toList();
    }

    /**
     * A page of {@link #query}: the events of {@code chain} before cursor {@code after} (null for the newest), at most
     * {@code limit}. The cursor is the sequence number, so events appended during a walk never shift it.
     */
    @Transactional
    public PageCursor.Slice<AuditEvent> page(UUID chain, Query query, String after, int limit) {
        SqlFilter filter = filter(chain, query);
        filter.and("seq < ?", PageCursor.decodeNumber(after, "seq"));
        List<?> rows = filter.query(entityManager, SELECT, " order by seq desc limit " + (limit + 1)).getResultList();
        List<AuditEvent> events = rows.stream().map(row -> event((Object[]) row)).toList();
        return PageCursor.slice(events, limit, last -> PageCursor.encode("seq", last.seq()));
    }

    /**
     * Every event of {@code chain} that matches the filter (its limit aside), oldest first, handed to {@code sink} as
     * it is read: an export of any length in constant memory.
     */
    @Transactional
    public void export(UUID chain, Query query, EventSink sink) throws java.io.IOException {
        try (var rows = filter(chain, query).query(entityManager, SELECT, " order by seq")
                .setHint(HibernateHints.HINT_FETCH_SIZE, 1000).getResultStream()) {
            for (var iterator = rows.iterator(); iterator.hasNext();) {
                sink.accept(event((Object[]) iterator.next()));
            }
        }
    }

    /** Takes exported events one by one. */
    @FunctionalInterface
    public interface EventSink {
        void accept(AuditEvent event) throws java.io.IOException;
    }

    private static SqlFilter filter(UUID chain, Query query) {
        String actor = SqlFilter.containing(query.actor());
        return new SqlFilter("tenant_id = ?", chain.toString()).and("(actor_id ilike ? or actor_name ilike ?)", actor)
                .and("action ilike ?", SqlFilter.containing(query.action())).and("target_id = ?", query.target())
                .and("at >= ?", query.from()).and("at < ?", query.to());
    }

    /** The chain of the current tenant, or the platform's outside a tenant. */
    public UUID currentChain() {
        return tenants.current().orElse(TenantContext.NO_TENANT);
    }

    /** A chain's newest event: its sequence number and hash. */
    public record Head(UUID chain, long seq, String hash) {
    }

    /** The head of every chain that has events. */
    @Transactional
    public List<Head> heads() {
        // A skip scan over the primary key: one index probe per chain, not a pass over every event.
        List<?> rows = entityManager.createNativeQuery("with recursive chains(tenant_id) as ("
                + " (select tenant_id from audit_events order by tenant_id limit 1) union all"
                + " select (select tenant_id from audit_events where tenant_id > c.tenant_id order by tenant_id limit 1)"
                + " from chains c where c.tenant_id is not null)"
                + " select c.tenant_id, h.seq, h.hash from chains c cross join lateral (select seq, hash from audit_events"
                + " where tenant_id = c.tenant_id order by seq desc limit 1) h where c.tenant_id is not null")
                .getResultList();
        return rows.stream().map(row -> (Object[]) row)
                .map(r -> new Head(UUID.fromString((String) r[0]), ((Number) r[1]).longValue(), (String) r[2]))
                .toList();
    }

    /** The chain's newest event, if it has any. */
    @Transactional
    public Optional<Head> head(UUID chain) {
        List<?> rows = entityManager
                .createNativeQuery("select seq, hash from audit_events where tenant_id = ?1 order by seq desc limit 1")
                .setParameter(1, chain.toString()).getResultList();
        return rows.stream().map(row -> (Object[]) row)
                .map(r -> new Head(chain, ((Number) r[0]).longValue(), (String) r[1])).findFirst();
    }

    /** The hash stored for event {@code seq} of {@code chain}, if there is such an event. */
    @Transactional
    public Optional<String> hashAt(UUID chain, long seq) {
        List<?> rows = entityManager
                .createNativeQuery("select hash from audit_events where tenant_id = ?1 and seq = ?2")
                .setParameter(1, chain.toString()).setParameter(2, seq).getResultList();
        return rows.stream().map(String.class::cast).findFirst();
    }

    /**
     * The result of walking a chain event by event: each event's content against its hash, and each link to the event
     * before it. What the walk cannot see (events removed from the end, a chain rewritten whole) the checkpoints show:
     * see {@link AuditVerifier}.
     */
    public record Walk(long events, long headSeq, Long brokenAtSeq, String brokenEventId, String problem,
            String reason) {
        public boolean intact() {
            return problem == null;
        }
    }

    /** Recomputes {@code chain} from its first event, streaming; reports the first broken link. */
    @Transactional
    public Walk walk(UUID chain) {
        String previous = GENESIS;
        long expectedSeq = 1;
        long events = 0;
        try (var rows = new SqlFilter("tenant_id = ?", chain.toString()).query(entityManager, SELECT, " order by seq")
                .setHint(HibernateHints.HINT_FETCH_SIZE, 1000).getResultStream()) {
            for (var iterator = rows.iterator(); iterator.hasNext();) {
                AuditEvent event = event((Object[]) iterator.next());
                events++;
                if (event.seq() != expectedSeq) {
                    return new Walk(events, event.seq(), expectedSeq, null, "event-missing",
                            "event " + expectedSeq + " is missing");
                }
                if (!event.prevHash().equals(previous)) {
                    return new Walk(events, event.seq(), event.seq(), event.id(), "link-broken",
                            "does not follow the event before it");
                }
                if (!hash(event).equals(event.hash())) {
                    return new Walk(events, event.seq(), event.seq(), event.id(), "content-changed",
                            "content was changed");
                }
                previous = event.hash();
                expectedSeq++;
            }
        }
        return new Walk(events, expectedSeq - 1, null, null, null, null);
    }

    private static final String SELECT = "select seq, cast(id as varchar), at, actor_type, actor_id, actor_name,"
            + " action, target_type, target_id, before, after, request_id, ip, user_agent, prev_hash, hash"
            + " from audit_events";

    private static AuditEvent event(Object[] r) {
        return new AuditEvent(((Number) r[0]).longValue(), (String) r[1], SqlFilter.instant(r[2]), (String) r[3],
                (String) r[4], (String) r[5], (String) r[6], (String) r[7], (String) r[8], (String) r[9],
                (String) r[10], (String) r[11], (String) r[12], (String) r[13], (String) r[14], (String) r[15]);
    }

    /** SHA-256 over the previous hash and every stored field, as an unambiguous JSON array. */
    String hash(AuditEvent e) {
        try {
            String content = json.writeValueAsString(Arrays.asList(e.prevHash(), e.seq(), e.id(), e.at().toString(),
                    e.actorType(), e.actorId(), e.actorName(), e.action(), e.targetType(), e.targetId(), e.before(),
                    e.after(), e.requestId(), e.ip(), e.userAgent()));
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException | NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unserialisable audit content", e);
        }
    }

    private static AuditActor actor() {
        var requestContext = Arc.container().requestContext();
        return requestContext.isActive() ? Arc.container().instance(AuditActor.class).get() : new AuditActor();
    }
}
