package dev.firmament.security;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.quarkus.scheduler.Scheduled;

/**
 * Console sign-ins, kept in PostgreSQL so that every replica knows them and signing out ends them everywhere. The
 * browser holds a random token; the table holds its SHA-256.
 */
@ApplicationScoped
public class ConsoleSessions {

    /** A signed-in person: who, how, and the token their forms must echo. */
    public record Session(String email, String source, boolean idpAdmin, String csrfToken, Instant expiresAt) {
    }

    /** A new session and the token that goes into the cookie. */
    public record Created(String token, Session session) {
    }

    private final EntityManager entityManager;
    private final Duration lifetime;

    ConsoleSessions(EntityManager entityManager, ConsoleConfig config) {
        this.entityManager = entityManager;
        this.lifetime = config.sessionLifetime();
    }

    public Duration lifetime() {
        return lifetime;
    }

    @Transactional
    public Created create(String email, String source, boolean idpAdmin) {
        String token = Secrets.random(32);
        Session session = new Session(email, source, idpAdmin, Secrets.random(32), Instant.now().plus(lifetime));
        entityManager
                .createNativeQuery("insert into console_sessions (token_hash, email, source, idp_admin,"
                        + " csrf_token, expires_at) values (?1, ?2, ?3, ?4, ?5, ?6)")
                .setParameter(1, hash(token)).setParameter(2, email).setParameter(3, source).setParameter(4, idpAdmin)
                .setParameter(5, session.csrfToken()).setParameter(6, Timestamp.from(session.expiresAt()))
                .executeUpdate();
        return new Created(token, session);
    }

    @Transactional
    public Optional<Session> find(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        List<?> rows = entityManager
                .createNativeQuery("select email, source, idp_admin, csrf_token, expires_at from console_sessions"
                        + " where token_hash = ?1 and expires_at > now()")
                .setParameter(1, hash(token)).getResultList();
        return rows.stream().findFirst().map(row -> {
            Object[] r = (Object[]) row;
            return new Session((String) r[0], (String) r[1], (Boolean) r[2], (String) r[3],
                    dev.firmament.db.SqlFilter.instant(r[4]));
        });
    }

    @Transactional
    public void delete(String token) {
        if (token != null && token.length() <= 100) {
            entityManager.createNativeQuery("delete from console_sessions where token_hash = ?1")
                    .setParameter(1, hash(token)).executeUpdate();
        }
    }

    /** Ends every session of a person (password changed, removed). */
    @Transactional
    public int deleteAllOf(String email) {
        return entityManager.createNativeQuery("delete from console_sessions where email = ?1").setParameter(1, email)
                .executeUpdate();
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void purgeExpired() {
        entityManager.createNativeQuery("delete from console_sessions where expires_at < now()").executeUpdate();
    }

    private static String hash(String token) {
        return Secrets.sha256(token);
    }
}
