package dev.firmament.security;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.firmament.db.SqlFilter;

/**
 * One-time links through which a person chooses their own password: an invitation for a person that an addition to a
 * tenant created, or a password reset issued by a platform administrator. A link is random, stored only as its SHA-256,
 * single use, and expires; an invitation also dies with the membership it was issued for. Nobody but the person ever
 * sees or sets their password.
 */
@ApplicationScoped
public class AccountLinks {

    /** Where links are opened: the console, outside any tenant (the slug is reserved). */
    public static final String PATH = "/console/invitations/";

    /** Why a link was issued. */
    public enum Purpose {
        INVITATION("invitation"), PASSWORD_RESET("password-reset");

        final String code;

        Purpose(String code) {
            this.code = code;
        }

        static Purpose of(String code) {
            return code.equals(INVITATION.code) ? INVITATION : PASSWORD_RESET;
        }
    }

    /** A link just issued: its token, shown once, and when it expires. */
    public record Issued(String token, Instant expiresAt) {
        /** The link on {@code firmament.public-url} or else the base the request came in on. */
        public String url(URI base) {
            return base.toString().replaceAll("/+$", "") + PATH + token;
        }
    }

    /** A link that can still be used: whose it is, and what for. */
    public record Open(String email, Purpose purpose, String tenantName, Instant expiresAt) {
    }

    private final EntityManager entityManager;
    private final AccountsConfig config;
    private final InstantSource clock;
    private final Optional<URI> publicUrl;

    AccountLinks(EntityManager entityManager, AccountsConfig config, InstantSource clock,
            @ConfigProperty(name = "firmament.public-url") Optional<URI> publicUrl) {
        this.entityManager = entityManager;
        this.config = config;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    /** The base links are built on: the configured public URL, or else the request's. */
    public URI base(URI requestBase) {
        return publicUrl.orElse(requestBase);
    }

    /** An invitation for a person just created by adding them to a tenant as {@code memberId}. */
    @Transactional(Transactional.TxType.MANDATORY)
    Issued invite(UUID userId, UUID tenantId, UUID memberId, String createdBy) {
        return issue(Purpose.INVITATION, userId, tenantId, memberId, createdBy,
                clock.instant().plus(config.invitationTtl()));
    }

    /** A password-reset link for a person; earlier links of theirs that were not used yet stop working. */
    @Transactional(Transactional.TxType.MANDATORY)
    Issued reset(UUID userId, String createdBy) {
        entityManager.createNativeQuery("delete from account_links where user_id = ?1 and used_at is null")
                .setParameter(1, userId).executeUpdate();
        return issue(Purpose.PASSWORD_RESET, userId, null, null, createdBy,
                clock.instant().plus(config.passwordResetTtl()));
    }

    /** The link behind {@code token}, if it is unused, unexpired and (for an invitation) its membership exists. */
    @Transactional
    public Optional<Open> find(String token) {
        if (!plausible(token)) {
            return Optional.empty();
        }
        List<?> rows = entityManager.createNativeQuery("select u.email, l.purpose, t.name, l.expires_at"
                + " from account_links l join users u on u.id = l.user_id left join tenants t on t.id = l.member_tenant_id"
                + " where l.token_hash = ?1 and l.used_at is null and l.expires_at > ?2").setParameter(1, hash(token))
                .setParameter(2, Timestamp.from(clock.instant())).getResultList();
        return rows.stream().findFirst().map(row -> {
            Object[] r = (Object[]) row;
            return new Open((String) r[0], Purpose.of((String) r[1]), (String) r[2], SqlFilter.instant(r[3]));
        });
    }

    /**
     * Uses the link: marks it used, once, even when two requests race (the update is the lock), and answers whose it
     * was. Runs inside the transaction that sets the password, so a refused password leaves the link usable.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    Optional<UUID> redeem(String token) {
        if (!plausible(token)) {
            return Optional.empty();
        }
        List<?> rows = entityManager
                .createNativeQuery("update account_links set used_at = ?2 where token_hash = ?1 and used_at is null"
                        + " and expires_at > ?2 returning user_id")
                .setParameter(1, hash(token)).setParameter(2, Timestamp.from(clock.instant())).getResultList();
        return rows.stream().findFirst().map(id -> (UUID) id);
    }

    private Issued issue(Purpose purpose, UUID userId, UUID tenantId, UUID memberId, String createdBy,
            Instant expiresAt) {
        String token = Secrets.random(40);
        entityManager.createNativeQuery(
                "insert into account_links (token_hash, purpose, user_id, member_tenant_id, member_id,"
                        + " created_by, created_at, expires_at) values (?1, ?2, ?3, ?4, cast(?5 as uuid), ?6, ?7, ?8)")
                .setParameter(1, hash(token)).setParameter(2, purpose.code).setParameter(3, userId)
                .setParameter(4, tenantId == null ? null : tenantId.toString())
                .setParameter(5, memberId == null ? null : memberId.toString()).setParameter(6, createdBy)
                .setParameter(7, Timestamp.from(clock.instant())).setParameter(8, Timestamp.from(expiresAt))
                .executeUpdate();
        return new Issued(token, expiresAt);
    }

    private static boolean plausible(String token) {
        return token != null && token.length() == 40 && token.chars().allMatch(Character::isLetterOrDigit);
    }

    private static String hash(String token) {
        return Secrets.sha256(token);
    }
}
