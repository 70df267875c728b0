package dev.firmament.console;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.device.DeviceKey;
import dev.firmament.device.DeviceKeyService;
import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.Ids;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.security.AccountMail;
import dev.firmament.security.Allowed;
import dev.firmament.security.ApiToken;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.CurrentCaller;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;

/** Device keys (with ready-to-paste client code), API tokens, and the tenant's members and roles. */
@Path("/console/{tenant}/settings")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class SettingsPage {

    /** A created device key: its secret and the URLs devices use, shown this once. */
    public record CreatedKey(String name, String secret, String updateUrl, String nofussUrl, String product,
            DeviceKeyService.Base base, String host) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance settings(List<DeviceKey> keys, List<ApiToken> tokens,
                List<MemberService.MemberEntry> members, List<Product> products, List<GroupService.GroupSummary> groups,
                MemberForm memberForm);

        static native TemplateInstance keyCreated(CreatedKey key);

        static native TemplateInstance tokenCreated(String name, String role, String token);

        static native TemplateInstance memberAdded(String email, String role, String invitationUrl, Instant expiresAt,
                boolean mailed);
    }

    private final DeviceKeyService keys;
    private final ApiTokenService tokens;
    private final MemberService members;
    private final ProductService products;
    private final GroupService groups;
    private final CurrentCaller caller;
    private final AccountMail mail;
    private final ConsoleView view;

    SettingsPage(DeviceKeyService keys, ApiTokenService tokens, MemberService members, ProductService products,
            GroupService groups, CurrentCaller caller, AccountMail mail, ConsoleView view) {
        this.keys = keys;
        this.tokens = tokens;
        this.members = members;
        this.products = products;
        this.groups = groups;
        this.caller = caller;
        this.mail = mail;
        this.view = view;
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance settings(@PathParam("tenant") String tenant) {
        return settingsPage(MemberForm.EMPTY);
    }

    /** What was typed into "add member", kept with the reason when it is refused. */
    public record MemberForm(String email, String role, String error) {
        static final MemberForm EMPTY = new MemberForm("", "viewer", null);
    }

    private TemplateInstance settingsPage(MemberForm memberForm) {
        // Token names and roles are for owners only, like the API's token listing.
        return Templates.settings(keys.list(), view.isOwner() ? tokens.list() : List.of(), members.list(),
                products.list(), groups.list(), memberForm);
    }

    @POST
    @Path("device-keys")
    @Allowed(Role.OWNER)
    public TemplateInstance createKey(@PathParam("tenant") String tenant, @RestForm String name,
            @RestForm String product, @RestForm String group, @Context UriInfo uri) {
        Product chosen = ConsoleForms.blankToNull(product) == null ? null : products.findByName(product);
        var created = keys.create(name, chosen == null ? null : chosen.id, ConsoleForms.id(group, "group"));
        var urls = keys.urls(created.secret(), uri.getBaseUri());
        return Templates.keyCreated(new CreatedKey(created.key().name, created.secret(), urls.update(), urls.nofuss(),
                chosen == null ? "MY_PRODUCT" : chosen.name, urls.base(),
                java.net.URI.create(urls.update()).getHost()));
    }

    @POST
    @Path("device-keys/{id}/revoke")
    @Allowed(Role.OWNER)
    public Response revokeKey(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        DeviceKey key = keys.revoke(Ids.uuid(id, "Device key"));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/settings",
                "Device key " + key.name + " revoked: its devices are refused from now on");
    }

    @POST
    @Path("tokens")
    @Allowed(Role.OWNER)
    public TemplateInstance createToken(@PathParam("tenant") String tenant, @RestForm String name,
            @RestForm String role, @RestForm String expires) {
        Instant expiresAt = ConsoleForms.day(expires, "Expiry");
        var created = tokens.create(name, role == null ? null : Role.parse(role), expiresAt,
                caller.get().map(c -> c.name()).orElse("unknown"));
        return Templates.tokenCreated(created.token().name, created.token().role, created.secret());
    }

    @POST
    @Path("tokens/{id}/revoke")
    @Allowed(Role.OWNER)
    public Response revokeToken(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        ApiToken token = tokens.revoke(Ids.uuid(id, "Token"));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/settings",
                "Token " + token.name + " revoked");
    }

    @POST
    @Path("members")
    @Allowed(Role.OWNER)
    public Response addMember(@PathParam("tenant") String tenant, @RestForm String email, @RestForm String role,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        MemberService.Added added;
        try {
            added = members.add(email, role == null ? null : Role.parse(role));
        } catch (FirmamentException e) {
            // A duplicate, a malformed address, an unknown role: said next to the form, with what was typed.
            return Response.status(e.status()).entity(settingsPage(new MemberForm(email, role, e.getMessage())))
                    .build();
        }
        String who = added.entry().email() + " added as " + added.entry().member().role;
        return mail.deliver(added, view.tenant().name, uri.getBaseUri())
                .map(link -> Response.ok(Templates.memberAdded(added.entry().email(), added.entry().member().role,
                        link.url(), link.expiresAt(), mail.enabled())).build())
                .orElseGet(() -> ConsoleResponses.redirect(headers, "/console/" + tenant + "/settings",
                        who + "; they sign in with the account they already have"));
    }

    @POST
    @Path("members/{id}/role")
    @Allowed(Role.OWNER)
    public Response changeRole(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String role,
            @Context HttpHeaders headers) {
        var changed = members.changeRole(Ids.uuid(id, "Member"), Role.parse(role));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/settings",
                changed.email() + " is now " + changed.member().role);
    }

    @POST
    @Path("members/{id}/remove")
    @Allowed(Role.OWNER)
    public Response removeMember(@PathParam("tenant") String tenant, @PathParam("id") String id,
            @Context HttpHeaders headers) {
        members.remove(Ids.uuid(id, "Member"));
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/settings", "Member removed");
    }
}
