package dev.firmament.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.errors.PlainText;

/** API tokens: created with their secret shown once, listed without it, revoked at once. */
@ApplicationScoped
public class ApiTokenService {

    /** Prefix that makes leaked tokens easy to find with secret scanners. */
    static final String PREFIX = "fmt_";

    private final EntityManager entityManager;
    private final AuditService audit;

    ApiTokenService(EntityManager entityManager, AuditService audit) {
        this.entityManager = entityManager;
        this.audit = audit;
    }

    /** A new token and its secret, which is never shown again. */
    public record CreatedToken(ApiToken token, String secret) {
    }

    @Transactional
    public CreatedToken create(String name, Role role, Instant expiresAt, String createdBy) {
        PlainText.name(name, "token", 100);
        if (role == null) {
            throw new InvalidInputException("invalid-role", "A token needs a role: owner, maintainer or viewer");
        }
        if (expiresAt != null && expiresAt.isBefore(Instant.now())) {
            throw new InvalidInputException("invalid-expiry", "expiresAt is in the past");
        }
        String secret = PREFIX + Secrets.random(40);
        ApiToken token = new ApiToken();
        token.id = UUID.randomUUID();
        token.name = name.strip();
        token.role = role.code();
        token.tokenHash = Secrets.sha256(secret);
        token.tokenHint = secret.substring(0, 8);
        token.createdBy = createdBy;
        token.createdAt = Instant.now();
        token.expiresAt = expiresAt;
        entityManager.persist(token);
        audit.record("api-token.create", "api-token", token.id.toString(), null, view(token));
        return new CreatedToken(token, secret);
    }

    @Transactional
    public List<ApiToken> list() {
        return entityManager.createQuery("from ApiToken order by createdAt", ApiToken.class).getResultList();
    }

    @Transactional
    public ApiToken revoke(UUID id) {
        ApiToken token = entityManager.find(ApiToken.class, id);
        if (token == null) {
            throw new NotFoundException("API token " + id);
        }
        if (token.revokedAt == null) {
            Map<String, Object> before = view(token);
            token.revokedAt = Instant.now();
            audit.record("api-token.revoke", "api-token", id.toString(), before, view(token));
        }
        return token;
    }

    /**
     * The caller a presented secret stands for, if it is a live token. Looked up by hash across tenants (plain SQL:
     * there is no tenant yet); {@code last_used_at} is refreshed at most once a minute (it is shown to owners, not used
     * for security).
     */
    @Transactional
    public Optional<Caller> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        List<?> rows = entityManager.createNativeQuery("select tenant_id, cast(id as varchar), name, role,"
                + " coalesce(last_used_at < now() - interval '1 minute', true) from api_tokens where token_hash = ?1"
                + " and revoked_at is null and (expires_at is null or expires_at > now())")
                .setParameter(1, Secrets.sha256(secret)).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = (Object[]) rows.get(0);
        String tenantId = (String) row[0];
        String id = (String) row[1];
        if (Boolean.TRUE.equals(row[4])) {
            entityManager.createNativeQuery(
                    "update api_tokens set last_used_at = now() where tenant_id = ?1 and" + " id = cast(?2 as uuid)")
                    .setParameter(1, tenantId).setParameter(2, id).executeUpdate();
        }
        return Optional
                .of(new Caller("api-token", id, (String) row[2], false, Map.of(tenantId, Role.parse((String) row[3]))));
    }

    static Map<String, Object> view(ApiToken token) {
        Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("id", token.id.toString());
        view.put("name", token.name);
        view.put("role", token.role);
        view.put("hint", token.tokenHint);
        view.put("expiresAt", token.expiresAt == null ? null : token.expiresAt.toString());
        view.put("revokedAt", token.revokedAt == null ? null : token.revokedAt.toString());
        return view;
    }
}
