package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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
import dev.firmament.errors.Ids;
import dev.firmament.security.Allowed;
import dev.firmament.security.ApiToken;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.CurrentCaller;
import dev.firmament.security.Role;

/** API tokens of a tenant: for CI pipelines and scripts. Owners only. */
@Path("/api/v1/tenants/{tenant}/api-tokens")
@Tag(name = "API tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Allowed(Role.OWNER)
public class ApiTokensResource {

    /** A new token: {@code role} is owner, maintainer or viewer; {@code expiresAt} is optional. */
    public record TokenRequest(@Schema(example = "github actions") String name,
            @Schema(example = "maintainer", enumeration = {
                    "owner", "maintainer", "viewer" }) String role,
            @Schema(example = "2027-06-30T00:00:00Z") Instant expiresAt){
    }

    /** A token without its secret. */
    public record TokenView(String id, String name, String role, String hint, Instant createdAt, String createdBy,
            Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id.toString(), t.name, t.role, t.tokenHint, t.createdAt, t.createdBy, t.expiresAt,
                    t.revokedAt, t.lastUsedAt);
        }
    }

    /** A created token with its secret, shown this once. */
    public record CreatedTokenView(String id, String name, String role, Instant expiresAt, String token) {
    }

    private final ApiTokenService tokens;
    private final CurrentCaller caller;

    ApiTokensResource(ApiTokenService tokens, CurrentCaller caller) {
        this.tokens = tokens;
        this.caller = caller;
    }

    @POST
    @ResponseStatus(201)
    @Operation(summary = "Create a token; the response holds the secret, which is never shown again")
    public CreatedTokenView create(@PathParam("tenant") String tenant, TokenRequest request) {
        Requests.require(request);
        var created = tokens.create(request.name(), request.role() == null ? null : Role.parse(request.role()),
                request.expiresAt(), caller.get().map(c -> c.name()).orElse("unknown"));
        return new CreatedTokenView(created.token().id.toString(), created.token().name, created.token().role,
                created.token().expiresAt, created.secret());
    }

    @GET
    @Operation(summary = "List tokens (without secrets)")
    public Page<TokenView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(PageCursor.of(tokens.list().stream().map(TokenView::of).toList(), "created",
                t -> PageCursor.sortable(t.createdAt(), t.id()), false, after, PageCursor.limit(limit)), uri);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke a token at once")
    public TokenView revoke(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        return TokenView.of(tokens.revoke(Ids.uuid(id, "Token")));
    }
}
