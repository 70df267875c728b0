package dev.firmament.console;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.errors.FirmamentException;
import dev.firmament.security.AccountMail;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.LocalAccounts;
import dev.firmament.tenant.Tenant;
import dev.firmament.tenant.TenantService;

/** For platform administrators: every tenant, creating one with its first owner, and password-reset links. */
@Path("/console/platform")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class PlatformPage {

    /** What was typed into the tenant form, kept when it is refused. */
    public record TenantForm(String slug, String name, String owner) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance platform(List<Tenant> tenants, TenantForm form, String tenantError,
                String resetEmail, String resetError);

        static native TemplateInstance linkIssued(String heading, String email, String url, Instant expiresAt,
                String next, boolean mailed);
    }

    private final TenantService tenants;
    private final LocalAccounts accounts;
    private final AccountMail mail;
    private final ConsoleView view;

    PlatformPage(TenantService tenants, LocalAccounts accounts, AccountMail mail, ConsoleView view) {
        this.tenants = tenants;
        this.accounts = accounts;
        this.mail = mail;
        this.view = view;
    }

    @GET
    @Allowed(platformAdmin = true)
    public TemplateInstance platform() {
        return page(new TenantForm("", "", view.user()), null, "", null);
    }

    @POST
    @Path("tenants")
    @Allowed(platformAdmin = true)
    public Response createTenant(@RestForm String slug, @RestForm String name, @RestForm String owner,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        TenantForm typed = new TenantForm(slug, name, owner);
        TenantService.Created created;
        try {
            created = tenants.create(ConsoleForms.blankToNull(slug), name, ConsoleForms.blankToNull(owner));
        } catch (FirmamentException e) {
            return Response.status(e.status()).entity(page(typed, e.getMessage(), "", null)).build();
        }
        String next = "/console/" + created.tenant().slug;
        String email = created.owner().entry().email();
        return mail.deliver(created.owner(), created.tenant().name, uri.getBaseUri())
                .map(link -> Response
                        .ok(Templates.linkIssued("Tenant " + created.tenant().name + " created; invite its owner",
                                email, link.url(), link.expiresAt(), next, mail.enabled()))
                        .build())
                .orElseGet(() -> ConsoleResponses.redirect(headers, next,
                        "Tenant " + created.tenant().name + " created with " + email + " as its owner"));
    }

    @POST
    @Path("password-resets")
    @Allowed(platformAdmin = true)
    public Response passwordReset(@RestForm String email, @Context UriInfo uri) {
        LocalAccounts.IssuedReset issued;
        try {
            issued = accounts.issuePasswordReset(email, view.user());
        } catch (FirmamentException e) {
            return Response.status(e.status())
                    .entity(page(new TenantForm("", "", view.user()), null, email == null ? "" : email, e.getMessage()))
                    .build();
        }
        AccountMail.Delivered link = mail.deliver(issued, uri.getBaseUri());
        return Response.ok(Templates.linkIssued("Password-reset link for " + issued.email(), issued.email(), link.url(),
                link.expiresAt(), "/console/platform", mail.enabled())).build();
    }

    private TemplateInstance page(TenantForm form, String tenantError, String resetEmail, String resetError) {
        return Templates.platform(tenants.list(), form, tenantError, resetEmail, resetError);
    }
}
