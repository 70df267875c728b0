package dev.firmament.rollout;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the rollout engine works ({@code firmament.rollouts.*}); docs/operations.md explains each. */
@ConfigMapping(prefix = "firmament.rollouts")
public interface RolloutsConfig {

    /** How often every replica looks at running rollouts (advance, pause, complete); one acts on each at a time. */
    @WithDefault("2s")
    Duration evaluateInterval();

    /** How often a running rollout's members are brought in line with the fleet (and always before a wave opens). */
    @WithDefault("1m")
    Duration reconcileInterval();

    /** Complete downloads of one rollout's image without an install after which a device is quarantined. */
    @WithDefault("3")
    int updateLoopDownloads();
}
