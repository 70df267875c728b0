package dev.firmament.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Webhook delivery ({@code firmament.webhooks.*}); docs/operations.md explains each. */
@ConfigMapping(prefix = "firmament.webhooks")
public interface WebhooksConfig {

    /**
     * Whether subscriptions may use plain {@code http} URLs. Off: a webhook carries fleet data and a signature secret's
     * work, so it travels over TLS unless a platform operator allows otherwise for an on-premises receiver.
     */
    @WithDefault("false")
    boolean allowHttp();

    /**
     * Networks (CIDR, e.g. {@code 10.20.0.0/16}) that webhook URLs may resolve to although they are private, loopback
     * or link-local: for receivers inside the operator's own network. Empty: only public addresses.
     */
    Optional<List<String>> allowedNetworks();

    /** How often every replica looks for deliveries that are due; each is claimed by one replica at a time. */
    @WithDefault("1s")
    Duration dispatchInterval();

    /** How long an attempt may take to connect. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** How long an attempt may take in all, from connecting to the end of the answer. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * How long a delivery is retried (with growing pauses) before it is given up; a subscription whose every attempt
     * failed for this long is disabled.
     */
    @WithDefault("24h")
    Duration retryFor();

    /** How often failed and quarantined rollout devices are announced: one message per rollout for each interval. */
    @WithDefault("1m")
    Duration deviceAlertInterval();
}
