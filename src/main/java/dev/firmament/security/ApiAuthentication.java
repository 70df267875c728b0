package dev.firmament.security;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpServerRequest;

import dev.firmament.audit.AuditActor;
import dev.firmament.errors.UnauthorizedException;

/**
 * Authenticates every {@code /api} request from its {@code Authorization} header: {@code Bearer} with an API token or
 * the bootstrap token given to this process ({@code FIRMAMENT_BOOTSTRAP_TOKEN}, a platform administrator, compared in
 * constant time and never stored or logged), or {@code Basic} with a local account's e-mail and password.
 */
public class ApiAuthentication {

    private final ApiTokenService tokens;
    private final LocalAccounts accounts;
    private final CurrentCaller currentCaller;
    private final AuditActor auditActor;
    private final Optional<String> bootstrapToken;

    ApiAuthentication(ApiTokenService tokens, LocalAccounts accounts, CurrentCaller currentCaller,
            AuditActor auditActor,
            @ConfigProperty(name = "firmament.bootstrap-token") Optional<String> bootstrapToken) {
        this.tokens = tokens;
        this.accounts = accounts;
        this.currentCaller = currentCaller;
        this.auditActor = auditActor;
        this.bootstrapToken = bootstrapToken.filter(token -> token.length() >= 16);
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public void authenticate(ContainerRequestContext request, HttpServerRequest http) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return;
        }
        String authorization = request.getHeaderString("Authorization");
        Caller caller;
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            caller = localAccount(authorization.substring(6).trim());
        } else if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new UnauthorizedException("Send an API token as 'Authorization: Bearer <token>'");
        } else {
            caller = bearer(authorization.substring(7).trim());
        }
        currentCaller.set(caller);
        String requestId = Optional.ofNullable(request.getHeaderString("X-Request-Id")).filter(id -> id.length() <= 64)
                .orElseGet(() -> UUID.randomUUID().toString());
        auditActor.set(caller.type(), caller.id(), caller.name(), requestId, http.remoteAddress().hostAddress(),
                request.getHeaderString("User-Agent"));
    }

    private Caller bearer(String secret) {
        Caller caller;
        if (bootstrapToken.isPresent() && Secrets.equalInConstantTime(secret, bootstrapToken.get())) {
            caller = new Caller("bootstrap", "bootstrap", "bootstrap token", true, Map.of());
        } else {
            caller = tokens.authenticate(secret)
                    .orElseThrow(() -> new UnauthorizedException("The token is unknown, expired or revoked"));
        }
        return caller;
    }

    /** A person's local account, for scripts run by people; pipelines should use API tokens. */
    private Caller localAccount(String encoded) {
        String decoded;
        try {
            decoded = new String(java.util.Base64.getDecoder().decode(encoded),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new UnauthorizedException("Malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new UnauthorizedException("Malformed Basic credentials");
        }
        return accounts.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1))
                .orElseThrow(() -> new UnauthorizedException("Wrong e-mail or password"));
    }
}
