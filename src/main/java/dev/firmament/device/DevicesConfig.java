package dev.firmament.device;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How device activity is recorded ({@code firmament.devices.*}); docs/operations.md explains each. */
@ConfigMapping(prefix = "firmament.devices")
public interface DevicesConfig {

    /** How long a batch of check-ins and downloads collects before it is written (sooner when full). */
    @WithDefault("1s")
    Duration flushInterval();

    /** Records that may wait in memory for the writer; beyond that they go to the local journal. */
    @WithDefault("200000")
    int queueCapacity();

    /** Bytes of activity the local journal may hold; only beyond that is activity lost (counted and logged). */
    @WithDefault("1073741824")
    long journalMaxSize();

    /** On SIGTERM, how long queued activity is written for; the rest goes to the journal. */
    @WithDefault("10s")
    Duration shutdownFlushTimeout();

    /**
     * How long a device has to come back running the firmware it was offered (outside rollouts) or downloaded (in a
     * rollout); after that it has failed ({@code still-old-image}, or {@code silent}).
     */
    @WithDefault("15m")
    Duration installTimeout();

    /** How often today's adoption counts (devices per product, version and group) are recomputed. */
    @WithDefault("10m")
    Duration adoptionInterval();

    /** Months of device events (and daily adoption counts) to keep, this month included; unset: kept for good. */
    Optional<Integer> eventRetentionMonths();
}
