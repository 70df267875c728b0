package dev.firmament.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;

import org.hibernate.annotations.TenantId;

/**
 * Base of every tenant-owned entity: Hibernate fills {@code tenant_id} from {@link TenantContext} on insert and filters
 * every query by it, so no repository can read or write another tenant's rows.
 */
@MappedSuperclass
public abstract class TenantOwnedEntity {

    /**
     * The owning tenant's id as text: Quarkus hands Hibernate the current tenant as a string, and Hibernate's tenant
     * filter accepts only values of the column's own Java type.
     */
    @TenantId
    @Column(name = "tenant_id", nullable = false, updatable = false, length = 36)
    public String tenantId;
}
