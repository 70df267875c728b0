package dev.firmament.release;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Server-side signing of ESP8266 images ({@code firmament.signing.*}). */
@ConfigMapping(prefix = "firmament.signing")
public interface SigningConfig {

    /**
     * 32 random bytes, base64 ({@code openssl rand -base64 32}), that encrypt the products' private signing keys in the
     * database. Without it, signing is off: no key can be made or imported, and nothing is signed.
     */
    Optional<String> masterKey();
}
