package dev.firmament.security;

import java.util.Optional;
import java.util.UUID;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

import io.vertx.core.http.HttpServerRequest;

import dev.firmament.audit.AuditActor;
import dev.firmament.errors.ForbiddenException;

/**
 * Signs console requests in from the session cookie, and refuses changes that do not echo the session's CSRF token (the
 * {@code X-CSRF-Token} header of htmx and script requests, or the {@code _csrf} field of a plain form).
 */
public class ConsoleAuthentication {

    /** The session cookie: HttpOnly, SameSite=Lax, only sent to {@code /console}. */
    public static final String COOKIE = "firmament_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CSRF_FIELD = "_csrf";

    private final ConsoleSessions sessions;
    private final LocalAccounts accounts;
    private final CurrentCaller currentCaller;
    private final CurrentConsoleSession currentSession;
    private final AuditActor auditActor;

    ConsoleAuthentication(ConsoleSessions sessions, LocalAccounts accounts, CurrentCaller currentCaller,
            CurrentConsoleSession currentSession, AuditActor auditActor) {
        this.sessions = sessions;
        this.accounts = accounts;
        this.currentCaller = currentCaller;
        this.currentSession = currentSession;
        this.auditActor = auditActor;
    }

    @ConsolePage
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public void authenticate(ContainerRequestContext request, HttpServerRequest http) {
        Cookie cookie = request.getCookies().get(COOKIE);
        ConsoleSessions.Session session = sessions.find(cookie == null ? null : cookie.getValue())
                .orElseThrow(SignInRequired::new);
        Caller caller = ("oidc".equals(session.source())
                ? Optional.of(accounts.callerForOidc(session.email(), session.idpAdmin()))
                : accounts.callerFor(session.email())).orElseThrow(SignInRequired::new);
        String path = request.getUriInfo().getPath();
        if ("local".equals(session.source()) && !path.startsWith("/console/account") && !path.equals("/console/logout")
                && accounts.mustChangePassword(session.email())) {
            throw new PasswordChangeRequired();
        }
        currentSession.set(session);
        currentCaller.set(caller);
        auditActor.set(caller.type(), caller.id(), caller.name(), UUID.randomUUID().toString(),
                http.remoteAddress().hostAddress(), request.getHeaderString("User-Agent"));
    }

    @ConsolePage
    @WithFormRead
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 1)
    public void checkCsrfToken(ResteasyReactiveContainerRequestContext request) {
        String method = request.getMethod();
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || currentSession.get().isEmpty()) {
            return;
        }
        String sent = request.getHeaderString(CSRF_HEADER);
        if (sent == null) {
            Object field = ((ResteasyReactiveRequestContext) request.getServerRequestContext())
                    .getFormParameter(CSRF_FIELD, true, false);
            sent = field == null ? null : field.toString();
        }
        if (sent == null || !Secrets.equalInConstantTime(sent, currentSession.get().get().csrfToken())) {
            throw new ForbiddenException(
                    "This form has expired or did not come from this console; reload the page" + " and try again");
        }
    }

    /** A password somebody else chose: every page but the account page sends the person there first. */
    public static class PasswordChangeRequired extends RuntimeException {
        PasswordChangeRequired() {
            super("Choose your own password first", null, false, false);
        }
    }

    /** No session, or it has ended: the console sends the person to the sign-in page. */
    public static class SignInRequired extends RuntimeException {
        SignInRequired() {
            super("Sign in to continue", null, false, false);
        }
    }
}
