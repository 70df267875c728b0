package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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
import dev.firmament.security.Role;

/** The tenant's audit trail: query, export, chain verification and checkpoints. */
@Path("/api/v1/tenants/{tenant}/audit")
@Tag(name = "Audit")
@Allowed(Role.VIEWER)
public class AuditResource {

    private final AuditService audit;
    private final AuditVerifier verifier;
    private final AuditCheckpoints checkpoints;

    AuditResource(AuditService audit, AuditVerifier verifier, AuditCheckpoints checkpoints) {
        this.audit = audit;
        this.verifier = verifier;
        this.checkpoints = checkpoints;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Audit events, newest first; actor and action match anywhere in the text, target exactly")
    public Page<AuditEvent> query(@PathParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("target") String target, @QueryParam("from") Instant from,
            @QueryParam("to") Instant to, @QueryParam("after") String after, @QueryParam("limit") Integer limit,
            @Context UriInfo uri) {
        return Page.of(audit.page(audit.currentChain(), new AuditService.Query(actor, action, target, from, to, 0),
                after, PageCursor.limit(limit)), uri);
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Operation(summary = "Every event matching the filters, oldest first, as CSV or NDJSON (format=csv|ndjson), streamed")
    public Response export(@PathParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("target") String target, @QueryParam("from") Instant from,
            @QueryParam("to") Instant to, @QueryParam("format") String format) {
        return AuditExport.download(audit, audit.currentChain(),
                new AuditService.Query(actor, action, target, from, to, Integer.MAX_VALUE), format, "audit-" + tenant);
    }

    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Recompute the hash chain and check it against its newest signed checkpoint")
    public AuditVerifier.Verification verify(@PathParam("tenant") String tenant) {
        return verifier.verify(audit.currentChain());
    }

    @GET
    @Path("checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Signed checkpoints of the chain's head, newest first")
    public Page<AuditCheckpoint> checkpoints(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(checkpoints.list(audit.currentChain(), after, PageCursor.limit(limit)), uri);
    }

    @POST
    @Path("checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Checkpoint the chain's head now (the existing checkpoint when the head has not moved)")
    public AuditCheckpoint checkpoint(@PathParam("tenant") String tenant) {
        return checkpoints.checkpoint(audit.currentChain())
                .orElseThrow(() -> new ConflictException("empty-chain", "The audit trail has no events yet"));
    }
}
