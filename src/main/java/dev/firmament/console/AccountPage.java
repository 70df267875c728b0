package dev.firmament.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

import dev.firmament.errors.FirmamentException;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.ConsoleSessions;
import dev.firmament.security.LocalAccounts;

/** A person's own account: choosing a new password (also the first page after a password somebody else set). */
@Path("/console/account")
@Produces(MediaType.TEXT_HTML)
@ConsolePage
public class AccountPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance account(String error, boolean required);
    }

    private final ConsoleSessions sessions;
    private final SessionCookies cookies;
    private final LocalAccounts accounts;
    private final ConsoleView view;

    AccountPage(ConsoleSessions sessions, SessionCookies cookies, LocalAccounts accounts, ConsoleView view) {
        this.sessions = sessions;
        this.cookies = cookies;
        this.accounts = accounts;
        this.view = view;
    }

    @GET
    @Allowed(signedIn = true)
    public TemplateInstance account() {
        return Templates.account(null, accounts.mustChangePassword(view.user()));
    }

    /** A person changes their own password; their other sessions end, this one goes on. */
    @POST
    @Path("password")
    @Allowed(signedIn = true)
    public Response changePassword(@RestForm String current, @RestForm String password, @Context UriInfo uri,
            @Context HttpServerRequest http) {
        String email = view.user();
        boolean required = accounts.mustChangePassword(email);
        LocalAccounts.SignIn check;
        try {
            check = accounts.changePassword(email, current, password, http.remoteAddress().hostAddress());
        } catch (FirmamentException e) {
            return Response.status(e.status()).entity(Templates.account(e.getMessage(), required)).build();
        }
        if (check instanceof LocalAccounts.Throttled throttled) {
            return Response.status(429).header("Retry-After", throttled.seconds()).entity(Templates.account(
                    "Too many wrong passwords; try again in " + ConsoleForms.waitInWords(throttled.seconds()) + ".",
                    required)).build();
        }
        if (!(check instanceof LocalAccounts.Accepted)) {
            return Response.status(400).entity(Templates.account("The current password is wrong", required)).build();
        }
        sessions.deleteAllOf(email);
        return cookies.start(email, "local", false, "/console/account", uri)
                .cookie(ConsoleResponses.flash("Password changed; other sessions were signed out")).build();
    }

}
