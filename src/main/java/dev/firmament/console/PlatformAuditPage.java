package dev.firmament.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.TemplateInstance;

import dev.firmament.audit.AuditExport;
import dev.firmament.audit.AuditService;
import dev.firmament.audit.AuditVerifier;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.tenant.TenantContext;

/**
 * The platform chain for platform administrators: tenants created, password resets, their own acts. The same page,
 * export and verification as a tenant's audit log, on the platform's chain.
 */
@Path("/console/platform/audit")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class PlatformAuditPage {

    private final AuditService audit;
    private final AuditVerifier verifier;

    PlatformAuditPage(AuditService audit, AuditVerifier verifier) {
        this.audit = audit;
        this.verifier = verifier;
    }

    @GET
    @Allowed(platformAdmin = true)
    public TemplateInstance list(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("target") String target, @QueryParam("from") String from, @QueryParam("to") String to) {
        AuditPage.Filters filters = new AuditPage.Filters(actor, action, target, from, to);
        return AuditPage.Templates.audit(filters, audit.query(TenantContext.NO_TENANT, filters.query(AuditPage.LIMIT)),
                AuditPage.LIMIT, "/console/platform", "Platform audit log");
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Allowed(platformAdmin = true)
    public Response export(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("target") String target, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("format") String format) {
        return AuditExport.download(audit, TenantContext.NO_TENANT,
                new AuditPage.Filters(actor, action, target, from, to).query(Integer.MAX_VALUE), format,
                "audit-platform");
    }

    @POST
    @Path("verify")
    @Allowed(platformAdmin = true)
    public TemplateInstance verify() {
        return AuditPage.Templates.chain(verifier.verify(TenantContext.NO_TENANT));
    }
}
