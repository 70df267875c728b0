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
 * Authenticates every {@code /api} request from its {@code Authorization: Bearer} header: an API token, or the
 * bootstrap token given to this process ({@code FIRMAMENT_BOOTSTRAP_TOKEN}, a platform administrator, compared in
 * constant time and never stored or logged).
 */
public class ApiAuthentication {

    private final ApiTokenService tokens;
    private final CurrentCaller currentCaller;
    private final AuditActor auditActor;
    private final Optional<String> bootstrapToken;

    ApiAuthentication(ApiTokenService tokens, CurrentCaller currentCaller, AuditActor auditActor,
            @ConfigProperty(name = "firmament.bootstrap-token") Optional<String> bootstrapToken) {
        this.tokens = tokens;
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
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new UnauthorizedException("Send an API token as 'Authorization: Bearer <token>'");
        }
        String secret = authorization.substring(7).trim();
        Caller caller;
        if (bootstrapToken.isPresent() && Secrets.equalInConstantTime(secret, bootstrapToken.get())) {
            caller = new Caller("bootstrap", "bootstrap", "bootstrap token", true, Map.of());
        } else {
            caller = tokens.authenticate(secret)
                    .orElseThrow(() -> new UnauthorizedException("The token is unknown, expired or revoked"));
        }
        currentCaller.set(caller);
        String requestId = Optional.ofNullable(request.getHeaderString("X-Request-Id")).filter(id -> id.length() <= 64)
                .orElseGet(() -> UUID.randomUUID().toString());
        auditActor.set(caller.type(), caller.id(), caller.name(), requestId, http.remoteAddress().hostAddress(),
                request.getHeaderString("User-Agent"));
    }
}
