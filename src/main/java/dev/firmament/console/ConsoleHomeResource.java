package dev.firmament.console;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.oidc.IdToken;
import io.quarkus.oidc.UserInfo;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.ForbiddenException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsoleAuthentication;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.ConsoleSessions;
import dev.firmament.security.LocalAccounts;
import dev.firmament.tenant.Tenant;

/**
 * Signing in and out of the console (local accounts, or the OIDC code flow when an identity provider is configured),
 * and the page that sends a person to their tenant.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleHomeResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String next, String error, String email, boolean sso);

        static native TemplateInstance tenants(List<Tenant> tenants);

        static native TemplateInstance account(String error);
    }

    private final ConsoleSessions sessions;
    private final LocalAccounts accounts;
    private final ConsoleView view;
    private final Instance<SecurityIdentity> identity;
    private final boolean sso;
    /** The person's ID token after the code flow (only resolved on the OIDC path). */
    @Inject
    @IdToken
    Instance<JsonWebToken> idToken;
    @Inject
    Instance<UserInfo> userInfo;

    ConsoleHomeResource(ConsoleSessions sessions, LocalAccounts accounts, ConsoleView view,
            Instance<SecurityIdentity> identity,
            @ConfigProperty(name = "quarkus.oidc.console.tenant-enabled", defaultValue = "false") boolean sso) {
        this.sessions = sessions;
        this.accounts = accounts;
        this.view = view;
        this.identity = identity;
        this.sso = sso;
    }

    @GET
    @ConsolePage
    @Allowed(signedIn = true)
    @Operation(hidden = true)
    public Response home() {
        List<Tenant> tenants = view.tenants();
        if (tenants.size() == 1) {
            return Response.seeOther(URI.create("/console/" + tenants.get(0).slug)).build();
        }
        return Response.ok(Templates.tenants(tenants)).build();
    }

    @GET
    @Path("login")
    @Operation(hidden = true)
    public TemplateInstance loginPage(@QueryParam("next") String next, @QueryParam("error") String error) {
        return Templates.login(safeNext(next), "sso".equals(error)
                ? "Single sign-on did not complete; try again, or sign in with your password" : null, "", sso);
    }

    @POST
    @Path("login")
    @Operation(hidden = true)
    public Response login(@RestForm String email, @RestForm String password, @RestForm String next,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        sameOrigin(headers);
        Optional<String> signedIn = email == null || password == null ? Optional.empty()
                : accounts.authenticate(email, password).map(caller -> caller.name());
        if (signedIn.isEmpty()) {
            return Response.status(401).entity(
                    Templates.login(safeNext(next), "Wrong e-mail or password", email == null ? "" : email, sso))
                    .build();
        }
        return startSession(signedIn.get(), "local", false, safeNext(next), uri).build();
    }

    /**
     * The end of the OIDC code flow (quarkus-oidc's {@code console} tenant guards this path): the provider vouched for
     * the person, who now gets a console session like a local sign-in.
     */
    @GET
    @Path("login/oidc")
    @Operation(hidden = true)
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
        return startSession(email.toString(), "oidc", person.hasRole("firmament-admin"), "/console", uri).build();
    }

    @GET
    @Path("account")
    @ConsolePage
    @Allowed(signedIn = true)
    @Operation(hidden = true)
    public TemplateInstance account() {
        return Templates.account(null);
    }

    /** A person changes their own password; their other sessions end, this one goes on. */
    @POST
    @Path("account/password")
    @ConsolePage
    @Allowed(signedIn = true)
    @Operation(hidden = true)
    public Response changePassword(@RestForm String current, @RestForm String password, @Context UriInfo uri) {
        String email = view.user();
        try {
            accounts.changePassword(email, current, password);
        } catch (FirmamentException e) {
            return Response.status(e.status()).entity(Templates.account(e.getMessage())).build();
        }
        sessions.deleteAllOf(email);
        return startSession(email, "local", false, "/console/account", uri)
                .cookie(ConsoleResponses.flash("Password changed; other sessions were signed out")).build();
    }

    @POST
    @Path("logout")
    @ConsolePage
    @Allowed(signedIn = true)
    @Operation(hidden = true)
    public Response logout(@Context HttpHeaders headers) {
        Cookie cookie = headers.getCookies().get(ConsoleAuthentication.COOKIE);
        sessions.delete(cookie == null ? null : cookie.getValue());
        return Response.seeOther(URI.create("/console/login")).cookie(sessionCookie("", 0, false)).build();
    }

    private Response.ResponseBuilder startSession(String email, String source, boolean idpAdmin, String next,
            UriInfo uri) {
        ConsoleSessions.Created created = sessions.create(email, source, idpAdmin);
        boolean secure = "https".equals(uri.getRequestUri().getScheme());
        return Response.seeOther(URI.create(next))
                .cookie(sessionCookie(created.token(), (int) sessions.lifetime().toSeconds(), secure));
    }

    private static NewCookie sessionCookie(String value, int maxAge, boolean secure) {
        return new NewCookie.Builder(ConsoleAuthentication.COOKIE).value(value).path("/console").maxAge(maxAge)
                .httpOnly(true).secure(secure).sameSite(NewCookie.SameSite.LAX).build();
    }

    /** Only console paths of this site: an open redirect after sign-in would make a fine phishing tool. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/console") || next.startsWith("//") || next.contains("\\")
                || next.startsWith("/console/login") || next.length() > 500) {
            return "/console";
        }
        return next;
    }

    /** A sign-in posted from another site (login CSRF) is refused; browsers send Origin on every POST. */
    private static void sameOrigin(HttpHeaders headers) {
        String origin = headers.getHeaderString("Origin");
        String host = headers.getHeaderString("Host");
        if (origin == null || "null".equals(origin) || host == null) {
            return;
        }
        String originHost = URI.create(origin).getHost();
        String requestHost = host.replaceFirst(":\\d+$", "");
        if (originHost == null || !originHost.equalsIgnoreCase(requestHost)) {
            throw new ForbiddenException("Sign in from this site's own sign-in page");
        }
    }
}
