package dev.firmament.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;

import dev.firmament.audit.AuditActor;
import dev.firmament.errors.ForbiddenException;
import dev.firmament.errors.TooManyRequestsException;
import dev.firmament.errors.UnauthorizedException;

/**
 * Authenticates every {@code /api} request from its {@code Authorization} header: {@code Bearer} with an API token or
 * the bootstrap token given to this process ({@code FIRMAMENT_BOOTSTRAP_TOKEN}, a platform administrator, compared in
 * constant time and never stored or logged) or an OIDC access token; or {@code Basic} with a local account's e-mail and
 * password.
 */
public class ApiAuthentication {

    /** The identity provider role that makes a person a platform administrator. */
    static final String PLATFORM_ADMIN_ROLE = "firmament-admin";

    private final ApiTokenService tokens;
    private final LocalAccounts accounts;
    private final Instance<SecurityIdentity> identity;
    private final CurrentCaller currentCaller;
    private final AuditActor auditActor;
    private final Optional<String> bootstrapToken;

    ApiAuthentication(ApiTokenService tokens, LocalAccounts accounts, Instance<SecurityIdentity> identity,
            CurrentCaller currentCaller, AuditActor auditActor,
            @ConfigProperty(name = "firmament.bootstrap-token") Optional<String> bootstrapToken) {
        this.identity = identity;
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
            caller = localAccount(authorization.substring(6).trim(), http.remoteAddress().hostAddress());
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
            caller = secret.startsWith(ApiTokenService.PREFIX) ? tokens.authenticate(secret)
                    .orElseThrow(() -> new UnauthorizedException("The token is unknown, expired or revoked")) : oidc();
        }
        return caller;
    }

    /** Anything else must be an access token of the configured OIDC provider (validated by quarkus-oidc). */
    private Caller oidc() {
        SecurityIdentity identity;
        try {
            identity = this.identity.get();
        } catch (AuthenticationFailedException e) {
            throw new UnauthorizedException("The token is not valid");
        }
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            throw new UnauthorizedException("The token is unknown, expired or revoked");
        }
        Object email = token.getClaim("email");
        if (email == null) {
            throw new UnauthorizedException("The token carries no e-mail claim");
        }
        return accounts.callerForOidc(email.toString(), identity.hasRole(PLATFORM_ADMIN_ROLE));
    }

    /** A person's local account, for scripts run by people; pipelines should use API tokens. */
    private Caller localAccount(String encoded, String address) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new UnauthorizedException("Malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new UnauthorizedException("Malformed Basic credentials");
        }
        LocalAccounts.SignIn signIn = accounts.signIn(decoded.substring(0, colon), decoded.substring(colon + 1),
                address, "api");
        if (signIn instanceof LocalAccounts.Throttled throttled) {
            throw new TooManyRequestsException("sign-in-throttled",
                    "Too many failed sign-ins for this account or from this address; try again in "
                            + throttled.seconds() + " s",
                    throttled.seconds());
        }
        if (!(signIn instanceof LocalAccounts.Accepted accepted)) {
            throw new UnauthorizedException("Wrong e-mail or password");
        }
        if (accepted.mustChangePassword()) {
            throw new ForbiddenException("password-change-required",
                    "This password was issued by somebody else: sign in to the console once and choose your own");
        }
        return accepted.caller();
    }
}
