package dev.firmament.release;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.firmament.tenant.TenantOwnedEntity;

/**
 * A version of a product: a firmware image, a filesystem image, or both. The id is a short number because NoFUSS
 * clients build download URLs in a 100-character buffer.
 */
@Entity
@Table(name = "releases")
public class Release extends TenantOwnedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "product_id", nullable = false)
    public java.util.UUID productId;

    @Column(nullable = false)
    public String version;

    public String notes;

    @Column(name = "firmware_sha256", length = 64)
    public String firmwareSha256;

    @Column(name = "firmware_md5", length = 32)
    public String firmwareMd5;

    @Column(name = "firmware_size")
    public Long firmwareSize;

    @Column(name = "filesystem_sha256", length = 64)
    public String filesystemSha256;

    @Column(name = "filesystem_md5", length = 32)
    public String filesystemMd5;

    @Column(name = "filesystem_size")
    public Long filesystemSize;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
