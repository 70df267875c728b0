package dev.firmament.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import dev.firmament.audit.AuditActor;
import dev.firmament.tenant.TenantContext;

/**
 * Delivers the outbox. Every replica claims due deliveries on a short interval ({@code SKIP LOCKED} and a lease, so
 * each attempt is made by one replica), sends them concurrently and records each outcome: a 2xx delivers; anything else
 * (another status, a redirect, which is not followed, a refused address, a timeout) is retried after 5 s, 30 s, 2 min,
 * 10 min, 30 min, 1 h, 2 h and then every 4 h, until {@code firmament.webhooks.retry-for} after the message was
 * written. Each connection goes to the address {@link WebhookAddressPolicy} checked a moment before, with the URL's
 * host for TLS and the Host header.
 */
// Created at start, not at its first tick: its metrics are there from the first scrape.
@io.quarkus.runtime.Startup
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1),
            Duration.ofHours(2), Duration.ofHours(4));
    /** Deliveries one replica attempts at once. */
    static final int BATCH = 50;
    /** How much of an answer the delivery log keeps. */
    static final int RESPONSE_BYTES = 512;

    /** What came of one attempt. */
    record Outcome(Integer status, int latencyMs, String response, String error) {
        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }

        String describe() {
            return error != null ? error : "HTTP " + status;
        }
    }

    private final WebhookOutbox outbox;
    private final WebhookService subscriptions;
    private final WebhookAddressPolicy addresses;
    private final TenantContext tenants;
    private final WebhooksConfig config;
    private final InstantSource clock;
    private final io.vertx.core.Vertx vertx;
    private final HttpClient client;
    private final Counter delivered;
    private final Counter failedAttempts;
    private final Counter givenUp;
    private final AtomicLong backlog = new AtomicLong();

    WebhookDispatcher(WebhookOutbox outbox, WebhookService subscriptions, WebhookAddressPolicy addresses,
            TenantContext tenants, WebhooksConfig config, InstantSource clock, Vertx vertx, MeterRegistry meters) {
        this.outbox = outbox;
        this.subscriptions = subscriptions;
        this.addresses = addresses;
        this.tenants = tenants;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
        this.client = vertx
                .createHttpClient(new HttpClientOptions().setConnectTimeout((int) config.connectTimeout().toMillis())
                        .setVerifyHost(true).setForceSni(true).setKeepAlive(false).setMaxPoolSize(BATCH));
        String description = "Webhook delivery attempts by outcome: delivered (2xx), failed (will be retried or was"
                + " the last), given-up (retries ran out)";
        this.delivered = Counter.builder("firmament.webhooks.deliveries").tag("outcome", "delivered")
                .description(description).register(meters);
        this.failedAttempts = Counter.builder("firmament.webhooks.deliveries").tag("outcome", "failed")
                .description(description).register(meters);
        this.givenUp = Counter.builder("firmament.webhooks.deliveries").tag("outcome", "given-up")
                .description(description).register(meters);
        Gauge.builder("firmament.webhooks.backlog", backlog, AtomicLong::get)
                .description("Webhook deliveries waiting for an attempt, all tenants (as of the last dispatch round)")
                .register(meters);
    }

    @PreDestroy
    void close() {
        client.close();
    }

    @Scheduled(every = "${firmament.webhooks.dispatch-interval}", delayed = "${firmament.webhooks.dispatch-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            dispatchDue();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Dispatching webhooks failed (%s); trying again on the next tick", e.getMessage());
        }
    }

    /** One round: claims what is due, attempts it, records the outcomes; returns how many were attempted. */
    public int dispatchDue() throws SQLException {
        Duration timeout = config.timeout();
        List<WebhookOutbox.Claimed> claimed = outbox.claim(BATCH, timeout.multipliedBy(3));
        List<CompletableFuture<Outcome>> attempts = new ArrayList<>();
        for (WebhookOutbox.Claimed delivery : claimed) {
            attempts.add(send(delivery, timeout));
        }
        for (int i = 0; i < claimed.size(); i++) {
            WebhookOutbox.Claimed delivery = claimed.get(i);
            Outcome outcome = attempts.get(i).join();
            try {
                tenants.runAs(UUID.fromString(delivery.tenantId()),
                        () -> Arc.container().instance(WebhookDispatcher.class).get().record(delivery, outcome));
            } catch (RuntimeException e) {
                // The lease runs out and another round (here or elsewhere) attempts it again: at least once.
                LOG.warnf(e, "Recording the outcome of webhook delivery %d failed", delivery.id());
            }
        }
        backlog.set(outbox.pending());
        return claimed.size();
    }

    @Transactional
    void record(WebhookOutbox.Claimed delivery, Outcome outcome) {
        Arc.container().instance(AuditActor.class).get().set("system", "webhooks", "Webhook delivery", null, null,
                null);
        // Millisecond times, as the database keeps them, so that comparing with stored times is exact.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant retryAt = null;
        if (!outcome.delivered()) {
            Instant next = now.plus(BACKOFF.get(Math.min(delivery.attempt(), BACKOFF.size()) - 1));
            retryAt = next.isAfter(delivery.createdAt().plus(config.retryFor())) ? null : next;
        }
        outbox.recordAttempt(delivery, now, outcome.status(), outcome.latencyMs(), outcome.response(), outcome.error(),
                outcome.delivered(), retryAt);
        if (outcome.delivered()) {
            delivered.increment();
        } else {
            failedAttempts.increment();
            if (retryAt == null) {
                this.givenUp.increment();
                LOG.warnf("Webhook delivery %s (%s) to subscription %d given up after %d attempts: %s",
                        delivery.messageId(), delivery.eventType(), delivery.subscriptionId(), delivery.attempt(),
                        outcome.describe());
            }
        }
        boolean givenUp = !outcome.delivered() && retryAt == null;
        if (subscriptions.attempted(delivery.subscriptionId(), outcome.delivered(), now, config.retryFor(),
                outcome.describe(), givenUp ? outbox.firstAttemptAt(delivery) : null)) {
            LOG.warnf("Webhook subscription %d of tenant %s disabled: every attempt failed for %s",
                    delivery.subscriptionId(), delivery.tenantId(), config.retryFor());
        }
    }

    /** One attempt, never longer than {@code timeout}; never fails, the outcome says what went wrong. */
    CompletableFuture<Outcome> send(WebhookOutbox.Claimed delivery, Duration timeout) {
        long started = System.nanoTime();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        URI uri;
        InetAddress address;
        try {
            uri = addresses.parse(delivery.url());
            address = addresses.resolve(uri);
        } catch (WebhookAddressPolicy.Refused e) {
            return CompletableFuture.completedFuture(new Outcome(null, 0, null, "Refused: " + e.getMessage()));
        }
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long timestamp = clock.instant().getEpochSecond();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(uri.getHost().replaceAll("^\\[|\\]$", "")).setPort(port).setSsl(https).setURI(target)
                .setFollowRedirects(false).setConnectTimeout(config.connectTimeout().toMillis())
                .putHeader("content-type", "application/json").putHeader("user-agent", "Firmament-Webhooks/1")
                .putHeader("webhook-id", delivery.messageId()).putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature",
                        WebhookSignature.sign(delivery.secret(), delivery.messageId(), timestamp, delivery.body()));
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long timer = vertx.setTimer(timeout.toMillis(), id -> {
            if (outcome.complete(new Outcome(null, elapsed(started), null,
                    "No complete answer within " + timeout.toSeconds() + " s"))) {
                HttpClientRequest sent = request.get();
                if (sent != null) {
                    sent.reset();
                }
            }
        });
        outcome.whenComplete((done, e) -> vertx.cancelTimer(timer));
        client.request(options).compose(r -> {
            request.set(r);
            return r.send(Buffer.buffer(delivery.body().getBytes(StandardCharsets.UTF_8)));
        }).onSuccess(response -> {
            Buffer first = Buffer.buffer();
            response.handler(chunk -> {
                if (first.length() < RESPONSE_BYTES) {
                    first.appendBuffer(chunk, 0, Math.min(chunk.length(), RESPONSE_BYTES - first.length()));
                }
            });
            response.exceptionHandler(e -> outcome.complete(new Outcome(response.statusCode(), elapsed(started),
                    text(first), "The answer broke off: " + e.getMessage())));
            response.endHandler(end -> {
                int status = response.statusCode();
                String error = status >= 300 && status < 400
                        ? "Redirect to " + response.getHeader("location") + " not followed" : null;
                outcome.complete(new Outcome(status, elapsed(started), text(first), error));
            });
        }).onFailure(e -> outcome.complete(new Outcome(null, elapsed(started), null,
                "Could not deliver: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()))));
        return outcome.orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .exceptionally(e -> new Outcome(null, elapsed(started), null, "No answer: " + e.getMessage()));
    }

    private static int elapsed(long started) {
        return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - started) / 1_000_000);
    }

    /** The answer's first bytes as text, with control characters masked, for the delivery log. */
    private static String text(Buffer bytes) {
        String text = new String(bytes.getBytes(), StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "?");
        return text.length() > RESPONSE_BYTES ? text.substring(0, RESPONSE_BYTES) : text;
    }
}
