package dev.firmament.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit trail's anchor: how often chains are checkpointed, and the key that signs the checkpoints. */
@ConfigMapping(prefix = "firmament.audit")
public interface AuditConfig {

    /** How often each chain whose head moved gets a signed checkpoint. */
    @WithDefault("10m")
    Duration checkpointInterval();

    /**
     * The Ed25519 private key that signs checkpoints, as PKCS#8 PEM ({@code openssl genpkey -algorithm ed25519}) or its
     * base64 body on one line. Unset: the key in {@link #signingKeyFile()}, generated there on first start.
     */
    Optional<String> signingKey();

    /** Where the key lives when {@link #signingKey()} is unset. */
    @WithDefault("${firmament.data-dir}/audit-signing-key.pem")
    Path signingKeyFile();

    /**
     * Public keys (SPKI PEM or its base64 body) of keys that signed earlier checkpoints, so those still verify after
     * the signing key was replaced.
     */
    Optional<List<String>> previousPublicKeys();
}
