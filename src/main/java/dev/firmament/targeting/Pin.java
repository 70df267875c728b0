package dev.firmament.targeting;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.firmament.tenant.TenantOwnedEntity;

/** A MAC pinned to a release: it wins over rollouts and rules. */
@Entity
@Table(name = "pins")
public class Pin extends TenantOwnedEntity {

    /** Unique across tenants: Hibernate updates by id alone, without the tenant filter. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 17)
    public String mac;

    @Column(name = "release_id", nullable = false)
    public Long releaseId;

    @Column(name = "allow_downgrade", nullable = false)
    public boolean allowDowngrade;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
