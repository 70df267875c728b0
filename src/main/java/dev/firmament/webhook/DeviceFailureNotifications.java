package dev.firmament.webhook;

import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.quarkus.arc.Arc;
import io.quarkus.scheduler.Scheduled;

import dev.firmament.rollout.RolloutDeviceState;
import dev.firmament.rollout.RolloutService;
import dev.firmament.rollout.RolloutService.DeviceFailures;
import dev.firmament.tenant.TenantContext;

/**
 * Announces failed and quarantined rollout devices grouped: once per interval, one {@code device.failed} and one
 * {@code device.quarantined} message per rollout that has new ones, with the count, the reasons and up to 50 MACs. A
 * bad wave of a thousand devices is one message, not a thousand. The devices are marked announced in the transaction
 * that writes the messages, so each is announced once, whichever replica runs first.
 */
@ApplicationScoped
public class DeviceFailureNotifications {

    private static final Logger LOG = Logger.getLogger(DeviceFailureNotifications.class);
    static final List<String> TYPES = List.of(WebhookEventType.DEVICE_FAILED.code(),
            WebhookEventType.DEVICE_QUARANTINED.code());

    private final WebhookService subscriptions;
    private final RolloutService rollouts;
    private final WebhookOutbox outbox;
    private final TenantContext tenants;
    private final InstantSource clock;

    DeviceFailureNotifications(WebhookService subscriptions, RolloutService rollouts, WebhookOutbox outbox,
            TenantContext tenants, InstantSource clock) {
        this.subscriptions = subscriptions;
        this.rollouts = rollouts;
        this.outbox = outbox;
        this.tenants = tenants;
        this.clock = clock;
    }

    @Scheduled(every = "${firmament.webhooks.device-alert-interval}", delayed = "${firmament.webhooks.device-alert-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            announceAll();
        } catch (RuntimeException e) {
            LOG.warn("Announcing device failures failed; trying again on the next tick", e);
        }
    }

    /** One round over every tenant that subscribed to device failures; public for tests, which move time instead. */
    public void announceAll() {
        for (var wanting : subscriptions.tenantsWanting(TYPES).entrySet()) {
            tenants.runAs(wanting.getKey(), () -> Arc.container().instance(DeviceFailureNotifications.class).get()
                    .announce(wanting.getKey(), wanting.getValue()));
        }
    }

    @Transactional
    void announce(UUID tenant, java.time.Instant subscribedSince) {
        for (DeviceFailures failures : rollouts.takeUnannouncedFailures(subscribedSince)) {
            boolean quarantined = failures.state() == RolloutDeviceState.QUARANTINED;
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("type", "rollout");
            object.put("id", Long.toString(failures.rolloutId()));
            object.put("name", failures.rolloutName());
            object.put("releaseId", failures.releaseId());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("devices", failures.devices());
            details.put("reasons", failures.reasons());
            details.put("macs", failures.macs());
            String reasons = failures.reasons().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            String summary = failures.devices() + (failures.devices() == 1 ? " device" : " devices") + " of rollout “"
                    + failures.rolloutName() + "” " + (quarantined ? "quarantined" : "failed") + " (" + reasons + ")";
            outbox.publish(tenant,
                    new Notice(quarantined ? WebhookEventType.DEVICE_QUARANTINED : WebhookEventType.DEVICE_FAILED,
                            object, Map.of("type", "system", "id", "rollout-engine", "name", "Rollout engine"),
                            clock.instant(), "/rollouts/" + failures.rolloutId(), summary, details));
        }
    }
}
