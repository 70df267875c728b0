package dev.firmament.release;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits on releases ({@code firmament.releases.*}). */
@ConfigMapping(prefix = "firmament.releases")
public interface ReleasesConfig {

    /** The largest firmware or filesystem image accepted, in bytes (ESP32 OTA partitions top out around 8 MiB). */
    @WithDefault("16777216")
    long maxImageSize();
}
