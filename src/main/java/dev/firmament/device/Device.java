package dev.firmament.device;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import dev.firmament.tenant.TenantOwnedEntity;

/**
 * A device as it last reported itself. Rows are written by {@link DeviceActivityRecorder} in batches behind the
 * check-in; people change only {@code productId} and {@code blocked}. Updates write only the columns that changed: a
 * person's change must not write back the last-seen time and report it read, over what a batch wrote meanwhile.
 */
@Entity
@DynamicUpdate
@Table(name = "devices")
public class Device extends TenantOwnedEntity {

    /** Unique across tenants: Hibernate updates by id alone, without the tenant filter. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 17)
    public String mac;

    /** The product the device last checked in as. */
    @Column(name = "product_id")
    public UUID productId;

    /** The product a person assigned; it wins over what the device or its key says. */
    @Column(name = "assigned_product_id")
    public UUID assignedProductId;

    @Column(nullable = false)
    public String client;

    @Column(name = "chip_id")
    public Long chipId;

    @Column(name = "chip_size")
    public Long chipSize;

    @Column(name = "free_space")
    public Long freeSpace;

    @Column(name = "sketch_size")
    public Long sketchSize;

    @Column(name = "sketch_md5", length = 32)
    public String sketchMd5;

    @Column(name = "sdk_version")
    public String sdkVersion;

    public String version;
    public String build;
    public String mode;
    public String ip;

    @Column(nullable = false)
    public boolean blocked;

    @Column(name = "pending_release_id")
    public Long pendingReleaseId;

    @Column(name = "pending_md5", length = 32)
    public String pendingMd5;

    @Column(name = "pending_version")
    public String pendingVersion;

    @Column(name = "pending_since")
    public Instant pendingSince;

    @Column(name = "first_seen", nullable = false)
    public Instant firstSeen;

    @Column(name = "last_seen", nullable = false)
    public Instant lastSeen;
}
