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
        StringBuilder csv = new StringBuilder(
                "seq,id,at,actor_type,actor_id,actor_name,action,target_type,target_id,before,after,request_id,ip,"
                        + "user_agent,hash\r\n");
        for (AuditEvent e : audit.query(new AuditService.Query(actor, action, target, from, to, 10_000))) {
            List<Object> fields = List.of(e.seq(), e.id(), e.at(), e.actorType(), e.actorId(), e.actorName(),
                    e.action(), e.targetType(), e.targetId(), nullable(e.before()), nullable(e.after()),
                    nullable(e.requestId()), nullable(e.ip()), nullable(e.userAgent()), e.hash());
            for (int i = 0; i < fields.size(); i++) {
                csv.append(i == 0 ? "" : ",").append(csvField(String.valueOf(fields.get(i))));
            }
            csv.append("\r\n");
        }
        return Response.ok(csv.toString()).header("Content-Disposition", "attachment; filename=\"audit.csv\"").build();
    }

    @GET
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Recompute the hash chain: intact, or the first broken link")
    public AuditService.Verification verify(@PathParam("tenant") String tenant) {
        return audit.verify();
    }

    private static Object nullable(Object value) {
        return value == null ? "" : value;
    }

    /** RFC 4180 quoting, and a leading quote against formula injection in spreadsheets. */
    private static String csvField(String value) {
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
}
