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

/** A device type, the NoFUSS {@code DEVICE} string (for example {@code SONOFF_BASIC}); releases belong to one. */
@Entity
@Table(name = "products")
public class Product extends TenantOwnedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.UUID)
    public UUID id;

    @Column(nullable = false)
    public String name;

    /** The chip its devices have ({@code esp8266}, {@code esp32s3}, …), or {@code any}: uploads must be for it. */
    @Column(name = "chip_family", nullable = false)
    public String chipFamily = ANY_CHIP;

    public static final String ANY_CHIP = "any";

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
