package dev.firmament.security;

import java.lang.reflect.Method;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.firmament.errors.ForbiddenException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.tenant.Tenant;
import dev.firmament.tenant.TenantContext;
import dev.firmament.tenant.TenantService;

/**
 * The one place access to the management API and the console is decided. Each method declares what it needs with
 * {@link Allowed}; a method without it is refused. For tenant paths the tenant comes from the {@code {tenant}} segment,
 * and a caller that is not a member gets 404, the same as for a tenant that does not exist, so tenants cannot be
 * discovered.
 */
public class ApiAuthorization {

    private final CurrentCaller currentCaller;
    private final TenantService tenants;
    private final TenantContext tenantContext;

    ApiAuthorization(CurrentCaller currentCaller, TenantService tenants, TenantContext tenantContext) {
        this.currentCaller = currentCaller;
        this.tenants = tenants;
        this.tenantContext = tenantContext;
    }

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public void authorize(ContainerRequestContext request, ResourceInfo resource) {
        boolean console = resource.getResourceClass().isAnnotationPresent(ConsolePage.class);
        if (!console && !request.getUriInfo().getPath().startsWith("/api/")) {
            return;
        }
        Method method = resource.getResourceMethod();
        Allowed allowed = method.getAnnotation(Allowed.class);
        if (allowed == null) {
            allowed = resource.getResourceClass().getAnnotation(Allowed.class);
        }
        if (allowed == null) {
            throw new ForbiddenException("This operation declares no access rule and is refused");
        }
        Caller caller = currentCaller.get().orElseThrow(() -> new ForbiddenException("Not authenticated"));
        if (allowed.signedIn()) {
            return;
        }
        String slug = request.getUriInfo().getPathParameters().getFirst("tenant");
        if (allowed.platformAdmin()) {
            if (!caller.platformAdmin()) {
                throw new ForbiddenException("Only platform administrators may do this");
            }
            if (slug == null) {
                return;
            }
        }
        if (slug == null) {
            throw new ForbiddenException("This operation names no tenant");
        }
        Tenant tenant = tenants.findBySlug(slug).orElseThrow(() -> new NotFoundException("Tenant " + slug));
        Role role = caller.roleIn(tenant.id.toString()).orElseThrow(() -> new NotFoundException("Tenant " + slug));
        if (!role.includes(allowed.value())) {
            throw new ForbiddenException("This needs the " + allowed.value().code() + " role; you are " + role.code());
        }
        tenantContext.enter(tenant.id);
    }
}
