package dev.firmament.console;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.audit.AuditEvent;
import dev.firmament.audit.AuditExport;
import dev.firmament.audit.AuditService;
import dev.firmament.audit.AuditVerifier;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;

/** The audit trail: filters, CSV export, and a check of the hash chain. */
@Path("/console/{tenant}/audit")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class AuditPage {

    /** The filters as the form sends them (dates are whole UTC days, {@code to} inclusive). */
    public record Filters(String actor, String action, String target, String from, String to) {

        AuditService.Query query(int limit) {
            Instant end = ConsoleForms.day(to, "to");
            return new AuditService.Query(ConsoleForms.blankToNull(actor), ConsoleForms.blankToNull(action),
                    ConsoleForms.blankToNull(target), ConsoleForms.day(from, "from"),
                    end == null ? null : end.plusSeconds(86_400), limit);
        }

        public String csvQuery() {
            return exportQuery(null); // CSV is the default format
        }

        public String ndjsonQuery() {
            return exportQuery("ndjson");
        }

        /** These filters as an export's query string; blank ones are left out. */
        private String exportQuery(String format) {
            java.util.Map<String, String> values = new java.util.HashMap<>();
            values.put("actor", actor);
            values.put("action", action);
            values.put("target", target);
            values.put("from", from);
            values.put("to", to);
            values.put("format", format);
            return ConsoleForms.queryString(values);
        }
    }

    @CheckedTemplate
    static class Templates {
        /** {@code home} is where the audit pages are: a tenant's console, or the platform's. */
        static native TemplateInstance audit(Filters filters, List<AuditEvent> events, int limit, String home,
                String heading);

        static native TemplateInstance chain(AuditVerifier.Verification verification);
    }

    static final int LIMIT = 500;

    private final AuditService audit;
    private final AuditVerifier verifier;

    AuditPage(AuditService audit, AuditVerifier verifier) {
        this.audit = audit;
        this.verifier = verifier;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance list(@PathParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("target") String target, @QueryParam("from") String from,
            @QueryParam("to") String to) {
        Filters filters = new Filters(actor, action, target, from, to);
        return Templates.audit(filters, audit.query(filters.query(LIMIT)), LIMIT, "/console/" + tenant, "Audit log");
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Allowed(Role.VIEWER)
    public Response export(@PathParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("action") String action, @QueryParam("target") String target, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("format") String format) {
        return AuditExport.download(audit, audit.currentChain(),
                new Filters(actor, action, target, from, to).query(Integer.MAX_VALUE), format, "audit-" + tenant);
    }

    /** Recomputes the chain on request: it reads every event of the tenant. */
    @POST
    @Path("verify")
    @Allowed(Role.VIEWER)
    public TemplateInstance verify(@PathParam("tenant") String tenant) {
        return Templates.chain(verifier.verify(audit.currentChain()));
    }
}
