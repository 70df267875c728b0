package dev.firmament.release;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.firmament.tenant.TenantOwnedEntity;

/**
 * A product's RSA key for ESP8266 signed updates. {@code privateKey} is AES-256-GCM ciphertext (nonce first) under the
 * configured master key, bound to its tenant and product; only {@link SigningKeyService} reads it.
 */
@Entity
@Table(name = "signing_keys")
public class SigningKey extends TenantOwnedEntity {

    /** Unique across tenants: Hibernate updates by id alone. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "product_id", nullable = false)
    public UUID productId;

    @Column(name = "public_key_pem", nullable = false)
    public String publicKeyPem;

    @Column(name = "private_key", nullable = false)
    byte[] privateKey;

    /** SHA-256 of the public key's DER encoding, hex: what people compare. */
    @Column(nullable = false)
    public String fingerprint;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    /** When a newer key took over (or signing was switched off); null for the key that signs now. */
    @Column(name = "retired_at")
    public Instant retiredAt;
}
