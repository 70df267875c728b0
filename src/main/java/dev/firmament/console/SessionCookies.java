package dev.firmament.console;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import dev.firmament.security.ConsoleAuthentication;
import dev.firmament.security.ConsoleSessions;

/** The console's session cookie: set when a person signs in (any way), cleared when they sign out. */
@ApplicationScoped
class SessionCookies {

    private final ConsoleSessions sessions;

    SessionCookies(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    /** A new session for {@code email}, and the redirect to {@code next} that sets its cookie. */
    Response.ResponseBuilder start(String email, String source, boolean idpAdmin, String next, UriInfo uri) {
        ConsoleSessions.Created created = sessions.create(email, source, idpAdmin);
        boolean secure = "https".equals(uri.getRequestUri().getScheme());
        return Response.seeOther(URI.create(next))
                .cookie(cookie(created.token(), (int) sessions.lifetime().toSeconds(), secure));
    }

    /** The cookie that removes the session cookie from the browser. */
    static NewCookie cleared() {
        return cookie("", 0, false);
    }

    private static NewCookie cookie(String value, int maxAge, boolean secure) {
        return new NewCookie.Builder(ConsoleAuthentication.COOKIE).value(value).path("/console").maxAge(maxAge)
                .httpOnly(true).secure(secure).sameSite(NewCookie.SameSite.LAX).build();
    }
}
