package dev.firmament.tenant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import io.quarkus.hibernate.orm.runtime.tenant.TenantResolver;

/** Tells Hibernate which tenant's rows a session may see: the one in {@link TenantContext}, or none. */
@PersistenceUnitExtension
@ApplicationScoped
class OrmTenantResolver implements TenantResolver {

    private final TenantContext tenantContext;

    OrmTenantResolver(TenantContext tenantContext) {
        this.tenantContext = tenantContext;
    }

    @Override
    public String getDefaultTenantId() {
        return TenantContext.NO_TENANT.toString();
    }

    @Override
    public String resolveTenantId() {
        return tenantContext.current().orElse(TenantContext.NO_TENANT).toString();
    }
}
