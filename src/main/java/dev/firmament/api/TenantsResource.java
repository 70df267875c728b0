package dev.firmament.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.security.Allowed;
import dev.firmament.tenant.Tenant;
import dev.firmament.tenant.TenantService;

/** Tenants, for platform administrators. */
@Path("/api/v1/tenants")
@Tag(name = "Tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TenantsResource {

    /** A new tenant: {@code slug} is permanent and appears in every API path. */
    public record TenantRequest(@Schema(example = "acme") String slug, @Schema(example = "Acme Devices") String name) {
    }

    /** A tenant. */
    public record TenantView(String id, String slug, String name, Instant createdAt) {
        static TenantView of(Tenant tenant) {
            return new TenantView(tenant.id.toString(), tenant.slug, tenant.name, tenant.createdAt);
        }
    }

    private final TenantService tenants;

    TenantsResource(TenantService tenants) {
        this.tenants = tenants;
    }

    @POST
    @ResponseStatus(201)
    @Allowed(platformAdmin = true)
    @Operation(summary = "Create a tenant")
    public TenantView create(TenantRequest request) {
        Requests.require(request);
        return TenantView.of(tenants.create(request.slug(), request.name()));
    }

    @GET
    @Allowed(platformAdmin = true)
    @Operation(summary = "List tenants")
    public List<TenantView> list() {
        return tenants.list().stream().map(TenantView::of).toList();
    }
}
