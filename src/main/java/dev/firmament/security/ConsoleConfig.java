package dev.firmament.security;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The web console's sign-in ({@code firmament.console.*}). */
@ConfigMapping(prefix = "firmament.console")
public interface ConsoleConfig {

    /** How long a console sign-in lasts. */
    @WithDefault("12h")
    Duration sessionLifetime();
}
