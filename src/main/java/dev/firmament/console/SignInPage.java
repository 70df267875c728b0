package dev.firmament.console;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.oidc.IdToken;
import io.quarkus.oidc.UserInfo;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;

import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.ForbiddenException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.security.AccountLinks;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsoleAuthentication;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.ConsoleSessions;
import dev.firmament.security.LocalAccounts;
import dev.firmament.tenant.Tenant;

/**
 * Signing in and out of the console (local accounts, an invitation or reset link, or the OIDC code flow when an
 * identity provider is configured), and the page that sends a person to their tenant.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class SignInPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String next, String error, String email, boolean sso);

        static native TemplateInstance tenants(List<Tenant> tenants);

        static native TemplateInstance invitation(String token, AccountLinks.Open link, String error);

        static native TemplateInstance invalidLink();
    }

    private final ConsoleSessions sessions;
    private final SessionCookies cookies;
    private final LocalAccounts accounts;
    private final AccountLinks links;
    private final ConsoleView view;
    private final Instance<SecurityIdentity> identity;
    private final boolean sso;
    /** The person's ID token after the code flow (only resolved on the OIDC path). */
    @Inject
    @IdToken
    Instance<JsonWebToken> idToken;
    @Inject
    Instance<UserInfo> userInfo;

    SignInPage(ConsoleSessions sessions, SessionCookies cookies, LocalAccounts accounts, AccountLinks links,
            ConsoleView view, Instance<SecurityIdentity> identity,
            @ConfigProperty(name = "quarkus.oidc.console.tenant-enabled", defaultValue = "false") boolean sso) {
        this.sessions = sessions;
        this.cookies = cookies;
        this.accounts = accounts;
        this.links = links;
        this.view = view;
        this.identity = identity;
        this.sso = sso;
    }

    @GET
    @ConsolePage
    @Allowed(signedIn = true)
    public Response home() {
        List<Tenant> tenants = view.tenants();
        if (tenants.size() == 1) {
            return Response.seeOther(URI.create("/console/" + tenants.get(0).slug)).build();
        }
        return Response.ok(Templates.tenants(tenants)).build();
    }

    @GET
    @Path("login")
    public TemplateInstance loginPage(@QueryParam("next") String next, @QueryParam("error") String error) {
        return Templates.login(safeNext(next), "sso".equals(error)
                ? "Single sign-on did not complete; try again, or sign in with your password" : null, "", sso);
    }

    @POST
    @Path("login")
    public Response login(@RestForm String email, @RestForm String password, @RestForm String next,
            @Context HttpHeaders headers, @Context UriInfo uri, @Context HttpServerRequest http) {
        ConsoleForms.sameOrigin(headers);
        String typed = email == null ? "" : email;
        LocalAccounts.SignIn signIn = email == null || password == null ? new LocalAccounts.Refused()
                : accounts.signIn(email, password, http.remoteAddress().hostAddress(), "console");
        if (signIn instanceof LocalAccounts.Throttled throttled) {
            return Response.status(429).header("Retry-After", throttled.seconds())
                    .entity(Templates.login(
                            safeNext(next), "Too many failed sign-ins for this account or from this"
                                    + " address. Try again in " + ConsoleForms.waitInWords(throttled.seconds()) + ".",
                            typed, sso))
                    .build();
        }
        if (!(signIn instanceof LocalAccounts.Accepted accepted)) {
            return Response.status(401).entity(Templates.login(safeNext(next), "Wrong e-mail or password", typed, sso))
                    .build();
        }
        // A password somebody else chose opens only the page where the person chooses their own.
        String target = accepted.mustChangePassword() ? "/console/account" : safeNext(next);
        return cookies.start(accepted.caller().name(), "local", false, target, uri).build();
    }

    /**
     * The end of the OIDC code flow (quarkus-oidc's {@code console} tenant guards this path): the provider vouched for
     * the person, who now gets a console session like a local sign-in.
     */
    @GET
    @Path("login/oidc")
    public Response loginWithOidc(@Context UriInfo uri) {
        if (!sso) {
            throw new NotFoundException("Single sign-on is not configured here");
        }
        SecurityIdentity person = identity.get();
        if (person.isAnonymous()) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        Object email = idToken.get().getClaim("email");
        if (email == null && userInfo.isResolvable()) {
            // Providers that keep the e-mail out of the ID token serve it from userinfo (user-info-required=true).
            email = userInfo.get().getString("email");
        }
        if (email == null) {
            throw new ForbiddenException("The identity provider sent no e-mail address for this account");
        }
        return cookies.start(email.toString(), "oidc", person.hasRole("firmament-admin"), "/console", uri).build();
    }

    /** An invitation or password-reset link: the form where the person chooses their password. */
    @GET
    @Path("invitations/{token}")
    public Response invitation(@PathParam("token") String token) {
        return links.find(token).map(link -> Response.ok(Templates.invitation(token, link, null)))
                .orElseGet(() -> Response.status(404).entity(Templates.invalidLink())).build();
    }

    /** Sets the password chosen on the link's page, uses the link up, and signs the person in. */
    @POST
    @Path("invitations/{token}")
    public Response acceptInvitation(@PathParam("token") String token, @RestForm String password,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleForms.sameOrigin(headers);
        Optional<AccountLinks.Open> link = links.find(token);
        if (link.isEmpty()) {
            return Response.status(404).entity(Templates.invalidLink()).build();
        }
        Optional<String> email;
        try {
            email = accounts.choosePassword(token, password);
        } catch (FirmamentException e) {
            return Response.status(e.status()).entity(Templates.invitation(token, link.get(), e.getMessage())).build();
        }
        if (email.isEmpty()) {
            // Used or expired between the two reads (another tab, another replica).
            return Response.status(404).entity(Templates.invalidLink()).build();
        }
        sessions.deleteAllOf(email.get());
        return cookies.start(email.get(), "local", false, "/console", uri)
                .cookie(ConsoleResponses.flash("Password set: welcome, " + email.get())).build();
    }

    @POST
    @Path("logout")
    @ConsolePage
    @Allowed(signedIn = true)
    public Response logout(@Context HttpHeaders headers) {
        Cookie cookie = headers.getCookies().get(ConsoleAuthentication.COOKIE);
        sessions.delete(cookie == null ? null : cookie.getValue());
        return Response.seeOther(URI.create("/console/login")).cookie(SessionCookies.cleared()).build();
    }

    /**
     * Only console paths of this site, made of URL characters: an open redirect after sign-in would make a fine
     * phishing tool, and a space or line break cannot go into a {@code Location} header. Anything else is the start.
     */
    static String safeNext(String next) {
        if (next == null || !SAFE_NEXT.matcher(next).matches() || next.startsWith("/console/login")) {
            return "/console";
        }
        return next;
    }

    private static final Pattern SAFE_NEXT = Pattern.compile("/console(?:[/?#][A-Za-z0-9\\-._~!$&'()*+,;=:@/?#%]*)?");

}
