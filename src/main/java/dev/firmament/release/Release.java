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

    /** What the firmware image's header says ({@link ImageHeader}); all null for releases stored before V12. */
    @Column(name = "firmware_format")
    public String firmwareFormat;

    @Column(name = "firmware_chip")
    public String firmwareChip;

    @Column(name = "firmware_flash_size")
    public Long firmwareFlashSize;

    @Column(name = "firmware_flash_mode")
    public String firmwareFlashMode;

    @Column(name = "firmware_flash_freq")
    public String firmwareFlashFrequency;

    @Column(name = "firmware_chip_rev_min")
    public Integer firmwareMinChipRevision;

    @Column(name = "firmware_chip_rev_max")
    public Integer firmwareMaxChipRevision;

    @Column(name = "firmware_sha256_appended")
    public Boolean firmwareSha256Appended;

    /** The signing key whose signature the firmware image ends with (ESP8266 signed updates), or null. */
    @Column(name = "firmware_signing_key_id")
    public Long firmwareSigningKeyId;

    @Column(name = "filesystem_sha256", length = 64)
    public String filesystemSha256;

    @Column(name = "filesystem_md5", length = 32)
    public String filesystemMd5;

    @Column(name = "filesystem_size")
    public Long filesystemSize;

    /** The header facts of the firmware image, or null (no firmware, or stored before they were read). */
    public ImageHeader firmwareHeader() {
        return firmwareFormat == null ? null
                : new ImageHeader(firmwareFormat, firmwareChip, firmwareFlashSize, firmwareFlashMode,
                        firmwareFlashFrequency, firmwareMinChipRevision, firmwareMaxChipRevision,
                        firmwareSha256Appended);
    }

    void firmwareHeader(ImageHeader header) {
        firmwareFormat = header.format();
        firmwareChip = header.chip();
        firmwareFlashSize = header.flashSize();
        firmwareFlashMode = header.flashMode();
        firmwareFlashFrequency = header.flashFrequency();
        firmwareMinChipRevision = header.minChipRevision();
        firmwareMaxChipRevision = header.maxChipRevision();
        firmwareSha256Appended = header.sha256Appended();
    }

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    /** Each release's version by its id: what pages show in place of an id. */
    public static java.util.Map<Long, String> versionsById(java.util.Collection<Release> releases) {
        java.util.Map<Long, String> versions = new java.util.HashMap<>();
        releases.forEach(release -> versions.put(release.id, release.version));
        return versions;
    }
}
