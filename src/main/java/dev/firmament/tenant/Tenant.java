package dev.firmament.tenant;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A customer organisation; every other row in the database belongs to exactly one tenant. */
@Entity
@Table(name = "tenants")
public class Tenant {

    /** A random UUID, stored as text to match the {@code tenant_id} of tenant-owned rows. */
    @Id
    @JdbcTypeCode(SqlTypes.VARCHAR)
    @Column(length = 36)
    public UUID id;

    /** Immutable, URL-safe handle used in API paths. */
    @Column(nullable = false, unique = true, updatable = false)
    public String slug;

    @Column(nullable = false)
    public String name;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
