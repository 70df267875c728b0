package dev.firmament.security;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.runtime.StartupEvent;

/**
 * Local accounts, the embedded default: people sign in with e-mail and password (bcrypt). On the first start with no
 * user at all, a platform administrator is created; its password comes from {@code firmament.admin.password} or is
 * generated and shown once in the log.
 */
@ApplicationScoped
public class LocalAccounts {

    private static final Logger LOG = Logger.getLogger(LocalAccounts.class);
    private static final int BCRYPT_COST = 12;

    private final EntityManager entityManager;
    private final String adminEmail;
    private final Optional<String> adminPassword;

    /**
     * Hash compared against when the user is unknown, so timing does not tell which e-mails exist. Made on the first
     * sign-in, not at start-up: a cost-12 bcrypt on a cold JVM took about a second of every start.
     */
    private static final class Decoy {
        static final String HASH = BcryptUtil.bcryptHash(Secrets.random(20), BCRYPT_COST);
    }

    LocalAccounts(EntityManager entityManager,
            @ConfigProperty(name = "firmament.admin.email", defaultValue = "admin@firmament.local") String adminEmail,
            @ConfigProperty(name = "firmament.admin.password") Optional<String> adminPassword) {
        this.entityManager = entityManager;
        this.adminEmail = MemberService.normalize(adminEmail);
        this.adminPassword = adminPassword.filter(p -> !p.isBlank());
    }

    @Transactional
    void createBootstrapAdministrator(@Observes StartupEvent event) {
        long users = entityManager.createQuery("select count(u) from User u", Long.class).getSingleResult();
        if (users > 0) {
            return;
        }
        String password = adminPassword.orElseGet(() -> Secrets.random(20));
        User admin = new User();
        admin.id = UUID.randomUUID();
        admin.email = adminEmail;
        admin.name = "Administrator";
        admin.passwordHash = BcryptUtil.bcryptHash(password, BCRYPT_COST);
        admin.platformAdmin = true;
        admin.createdAt = Instant.now();
        entityManager.persist(admin);
        if (adminPassword.isPresent()) {
            LOG.infof("Created the platform administrator %s with the configured password", adminEmail);
        } else {
            LOG.infof("Created the platform administrator %s with password %s (shown once: change it, or set"
                    + " FIRMAMENT_ADMIN_PASSWORD before the first start)", adminEmail, password);
        }
    }

    /** Sets a person's local password (at least 12 characters). */
    @Transactional
    public void setPassword(String email, String password) {
        if (password == null || password.length() < 12 || password.length() > 72) {
            throw new dev.firmament.errors.InvalidInputException("weak-password", "A password is 12 to 72 characters");
        }
        User user = find(MemberService.normalize(email))
                .orElseThrow(() -> new dev.firmament.errors.NotFoundException("User " + email));
        user.passwordHash = BcryptUtil.bcryptHash(password, BCRYPT_COST);
    }

    /**
     * A first password for a person added to a tenant who has none yet (local accounts), to hand over once; empty if
     * they already have one, so adding someone to a tenant never resets their password.
     */
    @Transactional
    public Optional<String> issueInitialPassword(String email) {
        User user = find(MemberService.normalize(email))
                .orElseThrow(() -> new dev.firmament.errors.NotFoundException("User " + email));
        if (user.passwordHash != null) {
            return Optional.empty();
        }
        String password = Secrets.random(16);
        user.passwordHash = BcryptUtil.bcryptHash(password, BCRYPT_COST);
        return Optional.of(password);
    }

    /** Changes a person's own password, given the current one. */
    @Transactional
    public void changePassword(String email, String current, String replacement) {
        if (authenticate(email, current).isEmpty()) {
            throw new dev.firmament.errors.InvalidInputException("wrong-password", "The current password is wrong");
        }
        setPassword(email, replacement);
    }

    /** The caller for a correct e-mail and password, with the person's roles in every tenant. */
    @Transactional
    public Optional<Caller> authenticate(String email, String password) {
        Optional<User> user;
        try {
            user = find(MemberService.normalize(email));
        } catch (RuntimeException invalidEmail) {
            return Optional.empty();
        }
        String hash = user.map(u -> u.passwordHash).orElse(null);
        boolean matches = BcryptUtil.matches(password == null ? "" : password, hash == null ? Decoy.HASH : hash);
        if (!matches || hash == null) {
            return Optional.empty();
        }
        return Optional.of(callerOf(user.get()));
    }

    /**
     * The caller for a person the OIDC provider vouched for: their memberships by e-mail (none if nobody added them
     * yet), and platform administration from the provider's role.
     */
    @Transactional
    public Caller callerForOidc(String email, boolean platformAdmin) {
        String normalized;
        try {
            normalized = MemberService.normalize(email);
        } catch (RuntimeException invalid) {
            return new Caller("user", "oidc:" + email, email, false, Map.of());
        }
        Optional<User> user = find(normalized);
        if (user.isEmpty()) {
            return new Caller("user", "oidc:" + normalized, normalized, platformAdmin, Map.of());
        }
        Caller known = callerOf(user.get());
        return new Caller(known.type(), known.id(), known.name(), known.platformAdmin() || platformAdmin,
                known.roles());
    }

    /** The caller for a person signed in earlier (a console session), with their roles as they are now. */
    @Transactional
    public Optional<Caller> callerFor(String email) {
        return find(email).map(this::callerOf);
    }

    private Caller callerOf(User user) {
        Map<String, Role> roles = new HashMap<>();
        List<?> rows = entityManager.createNativeQuery("select tenant_id, role from members where user_id = ?1")
                .setParameter(1, user.id).getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            roles.put((String) r[0], Role.parse((String) r[1]));
        }
        return new Caller("user", user.id.toString(), user.email, user.platformAdmin, Map.copyOf(roles));
    }

    private Optional<User> find(String email) {
        return entityManager.createQuery("from User where email = ?1", User.class).setParameter(1, email)
                .getResultStream().findFirst();
    }
}
