package dev.firmament.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.firmament.audit.AuditCsv;
import dev.firmament.audit.AuditEvent;
import dev.firmament.audit.AuditService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;

/** The tenant's audit trail: query, CSV export and chain verification. */
@Path("/api/v1/tenants/{tenant}/audit")
@Tag(name = "Audit")
@Allowed(Role.VIEWER)
public class AuditResource {

    private final AuditService audit;

    AuditResource(AuditService audit) {
        this.audit = audit;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Audit events, newest first, filtered by actor, action, target and time")
    public List<AuditEvent> query(@PathParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("target") String target, @QueryParam("from") Instant from,
            @QueryParam("to") Instant to, @QueryParam("limit") Integer limit) {
        return audit.query(new AuditService.Query(actor, action, target, from, to, limit == null ? 500 : limit));
    }

    @GET
    @Path("export.csv")
    @Produces("text/csv")
    @Operation(summary = "The same events as CSV")
    public Response export(@PathParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("target") String target, @QueryParam("from") Instant from,
            @QueryParam("to") Instant to) {
        String csv = AuditCsv.of(audit.query(new AuditService.Query(actor, action, target, from, to, 10_000)));
        return Response.ok(csv).header("Content-Disposition", "attachment; filename=\"audit.csv\"").build();
    }

    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Recompute the hash chain: intact, or the first broken link")
    public AuditService.Verification verify(@PathParam("tenant") String tenant) {
        return audit.verify();
    }
}
