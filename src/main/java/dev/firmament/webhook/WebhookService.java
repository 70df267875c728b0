package dev.firmament.webhook;

import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.agroal.api.AgroalDataSource;

import dev.firmament.audit.AuditActor;
import dev.firmament.audit.AuditService;
import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.tenant.TenantContext;

/**
 * The current tenant's webhook subscriptions, and every statement on {@code webhook_subscriptions}: owners create,
 * change and delete them; the dispatcher reports each attempt's outcome, and a subscription failing for
 * {@code firmament.webhooks.retry-for} is disabled here, in the audit trail like any change.
 */
@ApplicationScoped
public class WebhookService {

    /** At most this many subscriptions per tenant: each event is written once per subscription. */
    static final int MAX_SUBSCRIPTIONS = 100;

    /** What a subscription should be; null fields of a change keep what is there. */
    public record Spec(String url, List<String> events, String format, Boolean enabled) {
    }

    /** A new subscription and its secret, shown this once. */
    public record Created(WebhookSubscription subscription, String secret) {
    }

    private final EntityManager entityManager;
    private final TenantContext tenants;
    private final AuditService audit;
    private final WebhookOutbox outbox;
    private final WebhookAddressPolicy addresses;
    private final InstantSource clock;
    private final AgroalDataSource dataSource;

    WebhookService(EntityManager entityManager, TenantContext tenants, AuditService audit, WebhookOutbox outbox,
            WebhookAddressPolicy addresses, InstantSource clock, AgroalDataSource dataSource) {
        this.dataSource = dataSource;
        this.entityManager = entityManager;
        this.tenants = tenants;
        this.audit = audit;
        this.outbox = outbox;
        this.addresses = addresses;
        this.clock = clock;
    }

    @Transactional
    public Created create(Spec spec) {
        long existing = entityManager.createQuery("select count(s) from WebhookSubscription s", Long.class)
                .getSingleResult();
        if (existing >= MAX_SUBSCRIPTIONS) {
            throw new InvalidInputException("too-many-webhooks",
                    "A tenant may have at most " + MAX_SUBSCRIPTIONS + " webhooks; delete one first");
        }
        WebhookSubscription subscription = new WebhookSubscription();
        subscription.url = addresses.requireAllowed(spec.url()).toString();
        subscription.events = events(spec.events());
        subscription.format = format(spec.format() == null ? "standard" : spec.format());
        subscription.enabled = spec.enabled() == null || spec.enabled();
        subscription.secret = WebhookSignature.newSecret();
        subscription.createdAt = clock.instant();
        entityManager.persist(subscription);
        entityManager.flush();
        audit.record("webhook.create", "webhook", subscription.id.toString(), null, view(subscription));
        return new Created(subscription, subscription.secret);
    }

    @Transactional
    public List<WebhookSubscription> list() {
        return entityManager.createQuery("from WebhookSubscription order by id", WebhookSubscription.class)
                .getResultList();
    }

    @Transactional
    public WebhookSubscription get(long id) {
        WebhookSubscription subscription = entityManager.find(WebhookSubscription.class, id);
        if (subscription == null) {
            throw new NotFoundException("Webhook");
        }
        return subscription;
    }

    /** Changes what is given; enabling a disabled subscription clears why it was disabled. */
    @Transactional
    public WebhookSubscription update(long id, Spec spec) {
        WebhookSubscription subscription = get(id);
        Map<String, Object> before = view(subscription);
        if (spec.url() != null) {
            subscription.url = addresses.requireAllowed(spec.url()).toString();
        }
        if (spec.events() != null) {
            subscription.events = events(spec.events());
        }
        if (spec.format() != null) {
            subscription.format = format(spec.format());
        }
        if (spec.enabled() != null && spec.enabled() != subscription.enabled) {
            subscription.enabled = spec.enabled();
            if (subscription.enabled) {
                subscription.disabledAt = null;
                subscription.disabledReason = null;
                subscription.failingSince = null;
            } else {
                disable(subscription, "disabled by " + actorName());
            }
        }
        audit.record("webhook.update", "webhook", subscription.id.toString(), before, view(subscription));
        return subscription;
    }

    @Transactional
    public void delete(long id) {
        WebhookSubscription subscription = get(id);
        audit.record("webhook.delete", "webhook", subscription.id.toString(), view(subscription), null);
        entityManager.remove(subscription);
    }

    /** Queues a {@code test} event for the subscription (enabled or not, it is sent once it is). */
    @Transactional
    public long sendTest(long id) {
        WebhookSubscription subscription = get(id);
        AuditActor actor = io.quarkus.arc.Arc.container().instance(AuditActor.class).get();
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("type", "webhook");
        object.put("id", subscription.id.toString());
        audit.record("webhook.test", "webhook", subscription.id.toString(), null, Map.of("url", subscription.url));
        return outbox.publishTo(tenants.require(), subscription,
                new Notice(WebhookEventType.TEST, object,
                        Map.of("type", actor.type(), "id", actor.id(), "name", actor.name()), clock.instant(),
                        "/webhooks/" + subscription.id, "Test event from Firmament: this webhook works", Map.of()));
    }

    /** Queues a delivery of the subscription again, unchanged. */
    @Transactional
    public void resend(long id, long deliveryId) {
        outbox.resend(tenants.require().toString(), get(id).id, deliveryId);
        audit.record("webhook.resend", "webhook", Long.toString(id), null, Map.of("deliveryId", deliveryId));
    }

    @Transactional
    public PageCursor.Slice<WebhookOutbox.Delivery> deliveries(long id, String after, int limit) {
        return outbox.deliveries(tenants.require().toString(), get(id).id, after, limit);
    }

    /**
     * What an attempt of the subscription's tells about it: a success clears its failing streak; a failure starts one.
     * The subscription is disabled once the streak has lasted {@code disableAfter}, or when a message is given up whose
     * every attempt was part of the streak (it began at or before the message's first attempt,
     * {@code givenUpFirstTry}). Returns whether it was disabled now.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    boolean attempted(long id, boolean succeeded, Instant at, java.time.Duration disableAfter, String lastError,
            Instant givenUpFirstTry) {
        WebhookSubscription subscription = entityManager.find(WebhookSubscription.class, id);
        if (subscription == null) {
            return false;
        }
        if (succeeded) {
            subscription.failingSince = null;
            return false;
        }
        if (subscription.failingSince == null) {
            subscription.failingSince = at;
        }
        boolean failedLongEnough = !at.isBefore(subscription.failingSince.plus(disableAfter))
                || (givenUpFirstTry != null && !subscription.failingSince.isAfter(givenUpFirstTry));
        if (!subscription.enabled || !failedLongEnough) {
            return false;
        }
        Map<String, Object> before = view(subscription);
        subscription.enabled = false;
        disable(subscription, "every attempt failed since " + subscription.failingSince + "; the last: " + lastError);
        audit.record("webhook.disable", "webhook", subscription.id.toString(), before, view(subscription));
        return true;
    }

    private void disable(WebhookSubscription subscription, String reason) {
        subscription.disabledAt = clock.instant();
        subscription.disabledReason = reason.length() > 500 ? reason.substring(0, 499) + "…" : reason;
        outbox.abandon(subscription.tenantId, subscription.id, "Not sent: the webhook was " + reason);
    }

    private static String actorName() {
        return io.quarkus.arc.Arc.container().instance(AuditActor.class).get().name();
    }

    private static String[] events(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw new InvalidInputException("missing-events",
                    "Name the events this webhook is for; one or more of " + String.join(", ", subscribable()));
        }
        Set<String> codes = new LinkedHashSet<>();
        for (String event : events) {
            if (event == null || WebhookEventType.of(event).filter(t -> t != WebhookEventType.TEST).isEmpty()) {
                throw new InvalidInputException("unknown-event", "Unknown event '" + String.valueOf(event)
                        + "'; events are " + String.join(", ", subscribable()));
            }
            codes.add(event);
        }
        return codes.toArray(String[]::new);
    }

    /** Every event type one can subscribe to: all but the test event, which is sent on request. */
    public static List<String> subscribable() {
        return WebhookEventType.CODES.stream().filter(code -> !code.equals(WebhookEventType.TEST.code())).toList();
    }

    private static WebhookFormat format(String format) {
        return WebhookFormat.of(format).orElseThrow(() -> new InvalidInputException("unknown-format",
                "Unknown format '" + format + "'; formats are standard and slack"));
    }

    /** The audited shape: never the secret. */
    private static Map<String, Object> view(WebhookSubscription s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("url", s.url);
        view.put("events", List.of(s.events));
        view.put("format", s.format.code());
        view.put("enabled", s.enabled);
        if (s.disabledReason != null) {
            view.put("disabledReason", s.disabledReason);
        }
        return view;
    }

    /**
     * Tenants with an enabled subscription to any of {@code types}, across tenants, each with when its first such
     * subscription was made (nothing older is announced to it).
     */
    Map<UUID, Instant> tenantsWanting(List<String> types) {
        Map<UUID, Instant> wanting = new LinkedHashMap<>();
        try (java.sql.Connection c = dataSource.getConnection();
                var statement = c.prepareStatement("select tenant_id, min(created_at) from webhook_subscriptions"
                        + " where enabled and events && cast(? as varchar[]) group by tenant_id")) {
            statement.setArray(1, c.createArrayOf("varchar", types.toArray()));
            try (var rs = statement.executeQuery()) {
                while (rs.next()) {
                    wanting.put(UUID.fromString(rs.getString(1)), rs.getTimestamp(2).toInstant());
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return wanting;
    }
}
