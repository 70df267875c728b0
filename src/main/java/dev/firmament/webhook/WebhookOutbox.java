package dev.firmament.webhook;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;

import dev.firmament.db.PageCursor;
import dev.firmament.db.SqlFilter;
import dev.firmament.errors.NotFoundException;

/**
 * Every statement on {@code webhook_deliveries} and {@code webhook_attempts}: the outbox a change writes its messages
 * to, in its own transaction, and the log of each attempt to deliver them.
 */
@ApplicationScoped
public class WebhookOutbox {

    /** A delivery claimed for an attempt, with what the attempt needs. */
    record Claimed(String tenantId, long id, long subscriptionId, String messageId, String eventType, String body,
            int attempt, Instant createdAt, String url, String secret) {
    }

    /** A delivery as its log shows it: the latest attempt's outcome, and every attempt. */
    public record Delivery(long id, String messageId, String eventType, String state, int attempts, Instant createdAt,
            Instant nextAttemptAt, Instant deliveredAt, List<Attempt> log) {
    }

    /** One try: the answer's status (null when none came), how long it took, its first bytes or the error. */
    public record Attempt(int attempt, Instant at, Integer status, int latencyMs, String response, String error) {
    }

    private final EntityManager entityManager;
    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final InstantSource clock;
    private final Optional<URI> publicUrl;

    WebhookOutbox(EntityManager entityManager, AgroalDataSource dataSource, ObjectMapper json, InstantSource clock,
            @ConfigProperty(name = "firmament.public-url") Optional<URI> publicUrl) {
        this.entityManager = entityManager;
        this.dataSource = dataSource;
        this.json = json;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    /**
     * Writes {@code notice} for every enabled subscription of {@code tenant} that asked for its type, in the caller's
     * transaction; returns how many.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int publish(UUID tenant, Notice notice) {
        List<?> subscriptions = entityManager
                .createNativeQuery("select id, format from webhook_subscriptions where tenant_id = ?1 and enabled"
                        + " and ?2 = any(events) order by id")
                .setParameter(1, tenant.toString()).setParameter(2, notice.type().code()).getResultList();
        if (subscriptions.isEmpty()) {
            return 0;
        }
        String slug = slug(tenant);
        for (Object row : subscriptions) {
            Object[] r = (Object[]) row;
            insert(tenant, ((Number) r[0]).longValue(), WebhookFormat.of((String) r[1]).orElseThrow(), slug, notice);
        }
        return subscriptions.size();
    }

    /** Writes {@code notice} for one subscription, whatever it asked for: the test event. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long publishTo(UUID tenant, WebhookSubscription subscription, Notice notice) {
        return insert(tenant, subscription.id, subscription.format, slug(tenant), notice);
    }

    private long insert(UUID tenant, long subscriptionId, WebhookFormat format, String slug, Notice notice) {
        Timestamp now = Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        return ((Number) entityManager.createNativeQuery("insert into webhook_deliveries (tenant_id, subscription_id,"
                + " message_id, event_type, body, created_at, next_attempt_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
                + " returning id").setParameter(1, tenant.toString()).setParameter(2, subscriptionId)
                .setParameter(3, "msg_" + UUID.randomUUID().toString().replace("-", ""))
                .setParameter(4, notice.type().code()).setParameter(5, body(format, slug, notice)).setParameter(6, now)
                .getSingleResult()).longValue();
    }

    private String slug(UUID tenant) {
        return (String) entityManager.createNativeQuery("select slug from tenants where id = ?1")
                .setParameter(1, tenant.toString()).getSingleResult();
    }

    /** The console address of {@code notice}: absolute with {@code firmament.public-url}, else a path. */
    String consoleUrl(String slug, Notice notice) {
        String base = publicUrl.map(u -> u.toString().replaceAll("/+$", "")).orElse("");
        return base + "/console/" + slug + notice.consolePath();
    }

    /** The body as it is sent (and signed) on every attempt. */
    String body(WebhookFormat format, String slug, Notice notice) {
        String url = consoleUrl(slug, notice);
        Object payload;
        if (format == WebhookFormat.SLACK) {
            String link = url.startsWith("http") ? " <" + slackEscape(url) + "|Open in Firmament>" : " (" + url + ")";
            payload = Map.of("text", "*" + slackEscape(slug) + "*: " + slackEscape(notice.summary()) + link);
        } else {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("tenant", slug);
            data.put("object", notice.object());
            data.put("actor", notice.actor());
            data.put("summary", notice.summary());
            data.putAll(notice.details());
            data.put("url", url);
            Map<String, Object> standard = new LinkedHashMap<>();
            standard.put("type", notice.type().code());
            standard.put("timestamp", notice.at().truncatedTo(ChronoUnit.MILLIS).toString());
            standard.put("data", data);
            payload = standard;
        }
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Slack's mrkdwn escapes exactly these three. */
    private static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * Claims up to {@code limit} due deliveries of enabled subscriptions, across tenants, for {@code lease}: no other
     * replica takes them until it passes (a replica that dies mid-attempt lets another retry, with the same id).
     */
    List<Claimed> claim(int limit, Duration lease) throws SQLException {
        Instant now = clock.instant();
        List<Claimed> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement statement = c.prepareStatement("update webhook_deliveries d set lease_until = ?,"
                        + " attempts = d.attempts + 1 from webhook_subscriptions s where (d.tenant_id, d.id) in"
                        + " (select tenant_id, id from webhook_deliveries p where p.state = 'pending' and"
                        + " p.next_attempt_at <= ? and (p.lease_until is null or p.lease_until < ?) and exists (select 1"
                        + " from webhook_subscriptions e where e.tenant_id = p.tenant_id and e.id = p.subscription_id"
                        + " and e.enabled) order by p.next_attempt_at limit ? for update skip locked) and s.tenant_id ="
                        + " d.tenant_id and s.id = d.subscription_id returning d.tenant_id, d.id, d.subscription_id,"
                        + " d.message_id, d.event_type, d.body, d.attempts, d.created_at, s.url, s.secret")) {
            statement.setTimestamp(1, Timestamp.from(now.plus(lease)));
            statement.setTimestamp(2, Timestamp.from(now));
            statement.setTimestamp(3, Timestamp.from(now));
            statement.setInt(4, limit);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new Claimed(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getInt(7), rs.getTimestamp(8).toInstant(),
                            rs.getString(9), rs.getString(10)));
                }
            }
        }
        return claimed;
    }

    /** Deliveries waiting for an attempt, across tenants: the backlog a metric shows. */
    long pending() throws SQLException {
        try (Connection c = dataSource.getConnection();
                var statement = c.prepareStatement("select count(*) from webhook_deliveries where state = 'pending'");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Logs an attempt and moves its delivery on: delivered, due again at {@code retryAt}, or (null) given up. In the
     * current tenant's transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void recordAttempt(Claimed delivery, Instant at, Integer status, int latencyMs, String response, String error,
            boolean delivered, Instant retryAt) {
        entityManager.createNativeQuery("insert into webhook_attempts (tenant_id, delivery_id, attempt, at, status,"
                + " latency_ms, response, error) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) on conflict do nothing")
                .setParameter(1, delivery.tenantId()).setParameter(2, delivery.id()).setParameter(3, delivery.attempt())
                .setParameter(4, Timestamp.from(at)).setParameter(5, status).setParameter(6, latencyMs)
                .setParameter(7, response).setParameter(8, error).executeUpdate();
        String state = delivered ? "delivered" : retryAt == null ? "failed" : "pending";
        entityManager
                .createNativeQuery("update webhook_deliveries set state = ?3, lease_until = null,"
                        + " next_attempt_at = coalesce(?4, next_attempt_at), delivered_at = ?5 where tenant_id = ?1"
                        + " and id = ?2")
                .setParameter(1, delivery.tenantId()).setParameter(2, delivery.id()).setParameter(3, state)
                .setParameter(4, retryAt == null ? null : Timestamp.from(retryAt))
                .setParameter(5, delivered ? Timestamp.from(at) : null).executeUpdate();
    }

    /** When the delivery's first logged attempt was made. */
    @Transactional(Transactional.TxType.MANDATORY)
    Instant firstAttemptAt(Claimed delivery) {
        return SqlFilter.instant(entityManager
                .createNativeQuery(
                        "select min(at) from webhook_attempts where" + " tenant_id = ?1 and delivery_id = ?2")
                .setParameter(1, delivery.tenantId()).setParameter(2, delivery.id()).getSingleResult());
    }

    /** Gives up the subscription's waiting deliveries, saying why in their log: it was disabled. */
    @Transactional(Transactional.TxType.MANDATORY)
    void abandon(String tenantId, long subscriptionId, String reason) {
        Timestamp now = Timestamp.from(clock.instant());
        entityManager.createNativeQuery("insert into webhook_attempts (tenant_id, delivery_id, attempt, at,"
                + " latency_ms, error) select tenant_id, id, attempts + 1, ?3, 0, ?4 from webhook_deliveries where"
                + " tenant_id = ?1 and subscription_id = ?2 and state = 'pending' on conflict do nothing")
                .setParameter(1, tenantId).setParameter(2, subscriptionId).setParameter(3, now).setParameter(4, reason)
                .executeUpdate();
        entityManager.createNativeQuery("update webhook_deliveries set state = 'failed', lease_until = null,"
                + " attempts = attempts + 1 where tenant_id = ?1 and subscription_id = ?2 and state = 'pending'")
                .setParameter(1, tenantId).setParameter(2, subscriptionId).executeUpdate();
    }

    /** A subscription's deliveries, newest first, with their attempts. */
    @Transactional
    public PageCursor.Slice<Delivery> deliveries(String tenantId, long subscriptionId, String after, int limit) {
        SqlFilter filter = new SqlFilter("tenant_id = ?", tenantId).and("subscription_id = ?", subscriptionId)
                .and("id < ?", PageCursor.decodeNumber(after, "id"));
        List<?> rows = filter.query(entityManager,
                "select id, message_id, event_type, state, attempts, created_at,"
                        + " next_attempt_at, delivered_at from webhook_deliveries",
                " order by id desc limit " + (limit + 1)).getResultList();
        List<Long> ids = rows.stream().map(row -> ((Number) ((Object[]) row)[0]).longValue()).toList();
        Map<Long, List<Attempt>> attempts = attempts(tenantId, ids);
        List<Delivery> deliveries = new ArrayList<>();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            long id = ((Number) r[0]).longValue();
            String state = (String) r[3];
            deliveries.add(new Delivery(id, (String) r[1], (String) r[2], state, ((Number) r[4]).intValue(),
                    SqlFilter.instant(r[5]), state.equals("pending") ? SqlFilter.instant(r[6]) : null,
                    SqlFilter.instant(r[7]), attempts.getOrDefault(id, List.of())));
        }
        return PageCursor.slice(deliveries, limit, last -> PageCursor.encode("id", last.id()));
    }

    private Map<Long, List<Attempt>> attempts(String tenantId, List<Long> deliveryIds) {
        Map<Long, List<Attempt>> attempts = new LinkedHashMap<>();
        if (deliveryIds.isEmpty()) {
            return attempts;
        }
        for (Object row : entityManager
                .createNativeQuery("select delivery_id, attempt, at, status, latency_ms,"
                        + " response, error from webhook_attempts where tenant_id = ?1 and delivery_id in (?2) order by"
                        + " delivery_id, attempt desc")
                .setParameter(1, tenantId).setParameter(2, deliveryIds).getResultList()) {
            Object[] r = (Object[]) row;
            attempts.computeIfAbsent(((Number) r[0]).longValue(), id -> new ArrayList<>())
                    .add(new Attempt(((Number) r[1]).intValue(), SqlFilter.instant(r[2]),
                            r[3] == null ? null : ((Number) r[3]).intValue(), ((Number) r[4]).intValue(), (String) r[5],
                            (String) r[6]));
        }
        return attempts;
    }

    /**
     * Sends a delivery again, with its id and body unchanged (receivers that keep ids drop it as a duplicate): due now,
     * whatever became of it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void resend(String tenantId, long subscriptionId, long deliveryId) {
        int updated = entityManager.createNativeQuery("update webhook_deliveries set state = 'pending',"
                + " next_attempt_at = ?4, created_at = ?4, lease_until = null, delivered_at = null where tenant_id = ?1"
                + " and subscription_id = ?2 and id = ?3").setParameter(1, tenantId).setParameter(2, subscriptionId)
                .setParameter(3, deliveryId).setParameter(4, Timestamp.from(clock.instant())).executeUpdate();
        if (updated == 0) {
            throw new NotFoundException("Delivery");
        }
    }
}
