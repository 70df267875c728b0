package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.firmament.audit.AuditCheckpoint;
import dev.firmament.audit.AuditCheckpoints;
import dev.firmament.audit.AuditEvent;
import dev.firmament.audit.AuditExport;
import dev.firmament.audit.AuditService;
import dev.firmament.audit.AuditVerifier;
import dev.firmament.db.PageCursor;
import dev.firmament.errors.ConflictException;
import dev.firmament.security.Allowed;
import dev.firmament.tenant.TenantContext;

/**
 * The platform's own audit chain (tenants created and removed, platform administrators' acts), for platform
 * administrators only: the same query, export, verification and checkpoints as a tenant's.
 */
@Path("/api/v1/platform/audit")
@Tag(name = "Audit")
@Allowed(platformAdmin = true)
public class PlatformAuditResource {

    private final AuditService audit;
    private final AuditVerifier verifier;
    private final AuditCheckpoints checkpoints;

    PlatformAuditResource(AuditService audit, AuditVerifier verifier, AuditCheckpoints checkpoints) {
        this.audit = audit;
        this.verifier = verifier;
        this.checkpoints = checkpoints;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Platform audit events, newest first")
    public Page<AuditEvent> query(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("target") String target, @QueryParam("from") Instant from, @QueryParam("to") Instant to,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(audit.page(TenantContext.NO_TENANT, new AuditService.Query(actor, action, target, from, to, 0),
                after, PageCursor.limit(limit)), uri);
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Operation(summary = "Every platform event matching the filters, oldest first, as CSV or NDJSON, streamed")
    public Response export(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("target") String target, @QueryParam("from") Instant from, @QueryParam("to") Instant to,
            @QueryParam("format") String format) {
        return AuditExport.download(audit, TenantContext.NO_TENANT,
                new AuditService.Query(actor, action, target, from, to, Integer.MAX_VALUE), format, "audit-platform");
    }

    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Recompute the platform chain and check it against its newest signed checkpoint")
    public AuditVerifier.Verification verify() {
        return verifier.verify(TenantContext.NO_TENANT);
    }

    @GET
    @Path("checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Signed checkpoints of the platform chain's head, newest first")
    public Page<AuditCheckpoint> checkpoints(@QueryParam("after") String after, @QueryParam("limit") Integer limit,
            @Context UriInfo uri) {
        return Page.of(checkpoints.list(TenantContext.NO_TENANT, after, PageCursor.limit(limit)), uri);
    }

    @POST
    @Path("checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Checkpoint the platform chain's head now")
    public AuditCheckpoint checkpoint() {
        return checkpoints.checkpoint(TenantContext.NO_TENANT)
                .orElseThrow(() -> new ConflictException("empty-chain", "The platform audit trail has no events yet"));
    }
}
