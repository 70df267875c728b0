package dev.firmament.api;

import java.time.Instant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.db.PageCursor;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.security.AccountMail;
import dev.firmament.security.Allowed;
import dev.firmament.security.Caller;
import dev.firmament.security.CurrentCaller;
import dev.firmament.tenant.Tenant;
import dev.firmament.tenant.TenantService;

/** Tenants, for platform administrators. */
@Path("/api/v1/tenants")
@Tag(name = "Tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TenantsResource {

    /**
     * A new tenant: {@code slug} is permanent and appears in every API path; {@code owner} is the e-mail of its first
     * owner (default: the person calling; required with the bootstrap token).
     */
    public record TenantRequest(@NotBlank @Size(max = 40) @Schema(example = "acme") String slug,
            @NotBlank @Size(max = 200) @Schema(example = "Acme Devices") String name,
            @Size(max = 254) @Schema(example = "jane@acme.example") String owner) {
    }

    /**
     * A tenant just created, with its first owner and, if that person was created by this request, the one-time link on
     * which they choose their password (returned this once).
     */
    public record CreatedTenantView(String id, String slug, String name, Instant createdAt, String owner,
            String invitationUrl, Instant invitationExpiresAt) {
    }

    /** A tenant. */
    public record TenantView(String id, String slug, String name, Instant createdAt) {
        static TenantView of(Tenant tenant) {
            return new TenantView(tenant.id.toString(), tenant.slug, tenant.name, tenant.createdAt);
        }
    }

    private final TenantService tenants;
    private final CurrentCaller caller;
    private final AccountMail mail;

    TenantsResource(TenantService tenants, CurrentCaller caller, AccountMail mail) {
        this.tenants = tenants;
        this.caller = caller;
        this.mail = mail;
    }

    @POST
    @ResponseStatus(201)
    @Allowed(platformAdmin = true)
    @Operation(summary = "Create a tenant with its first owner")
    public CreatedTenantView create(@Valid TenantRequest request, @Context UriInfo uri) {
        Requests.require(request);
        String owner = request.owner() != null ? request.owner()
                : caller.get().filter(c -> c.type().equals("user")).map(Caller::name)
                        .orElseThrow(() -> new InvalidInputException("owner-required",
                                "Name the tenant's first owner: \"owner\": \"<e-mail>\""));
        TenantService.Created created = tenants.create(request.slug(), request.name(), owner);
        Tenant tenant = created.tenant();
        var invitation = mail.deliver(created.owner(), tenant.name, uri.getBaseUri());
        return new CreatedTenantView(tenant.id.toString(), tenant.slug, tenant.name, tenant.createdAt,
                created.owner().entry().email(), invitation.map(AccountMail.Delivered::url).orElse(null),
                invitation.map(AccountMail.Delivered::expiresAt).orElse(null));
    }

    @GET
    @Allowed(platformAdmin = true)
    @Operation(summary = "List tenants")
    public Page<TenantView> list(@QueryParam("after") String after, @QueryParam("limit") Integer limit,
            @Context UriInfo uri) {
        return Page.of(PageCursor.of(tenants.list().stream().map(TenantView::of).toList(), "slug", TenantView::slug,
                false, after, PageCursor.limit(limit)), uri);
    }
}
