package dev.firmament.security;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** People's accounts: invitation and password-reset links, and how failed sign-ins are throttled. */
@ConfigMapping(prefix = "firmament.accounts")
public interface AccountsConfig {

    /** How long an invitation link stays valid. */
    @WithDefault("72h")
    Duration invitationTtl();

    /** How long a password-reset link issued by a platform administrator stays valid. */
    @WithDefault("24h")
    Duration passwordResetTtl();

    /** Failed sign-ins for one account within {@link #failureWindow()} after which further attempts must wait. */
    @WithDefault("5")
    int maxFailures();

    /** Failed sign-ins from one client address within {@link #failureWindow()} after which it must wait. */
    @WithDefault("50")
    int maxFailuresPerAddress();

    /** The window failures are counted in; the count starts over once it has passed. */
    @WithDefault("15m")
    Duration failureWindow();

    /** The first wait once the limit is reached; it doubles with each further failure. */
    @WithDefault("30s")
    Duration throttleDelay();

    /** The longest wait. */
    @WithDefault("15m")
    Duration maxThrottleDelay();
}
