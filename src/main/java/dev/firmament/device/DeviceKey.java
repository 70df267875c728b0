package dev.firmament.device;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.firmament.tenant.TenantOwnedEntity;

/** A key devices put in their update URL; it names the tenant and may give enrolling devices a product and group. */
@Entity
@Table(name = "device_keys")
public class DeviceKey extends TenantOwnedEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    /** SHA-256 of the key; the key itself is shown once, at creation. */
    @Column(name = "key_hash", nullable = false, length = 64)
    public String keyHash;

    /** The key's first characters, so people can tell keys apart. */
    @Column(name = "key_hint", nullable = false)
    public String keyHint;

    @Column(name = "default_product_id")
    public UUID defaultProductId;

    @Column(name = "default_group_id")
    public Long defaultGroupId;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;
}
