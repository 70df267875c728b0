package dev.firmament.security;

import java.time.Duration;
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

import dev.firmament.audit.AuditService;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.tenant.TenantContext;

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
    private final SignInThrottle throttle;
    private final AccountLinks links;
    private final AuditService audit;
    private final String adminEmail;
    private final Optional<String> adminPassword;

    /**
     * Hash compared against when the user is unknown, so timing does not tell which e-mails exist. Made on the first
     * sign-in, not at start-up: a cost-12 bcrypt on a cold JVM took about a second of every start.
     */
    private static final class Decoy {
        static final String HASH = BcryptUtil.bcryptHash(Secrets.random(20), BCRYPT_COST);
    }

    LocalAccounts(EntityManager entityManager, SignInThrottle throttle, AccountLinks links, AuditService audit,
            @ConfigProperty(name = "firmament.admin.email", defaultValue = "admin@firmament.local") String adminEmail,
            @ConfigProperty(name = "firmament.admin.password") Optional<String> adminPassword) {
        this.entityManager = entityManager;
        this.throttle = throttle;
        this.links = links;
        this.audit = audit;
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
        // A generated password has been in a log: it opens the console once, to choose a real one.
        admin.passwordMustChange = adminPassword.isEmpty();
        admin.platformAdmin = true;
        admin.createdAt = Instant.now();
        entityManager.persist(admin);
        if (adminPassword.isPresent()) {
            LOG.infof("Created the platform administrator %s with the configured password", adminEmail);
        } else {
            LOG.infof(
                    "Created the platform administrator %s with password %s (shown once; the console asks for a"
                            + " new one at the first sign-in. Or set FIRMAMENT_ADMIN_PASSWORD before the first start)",
                    adminEmail, password);
        }
    }

    /** The answer to a sign-in with e-mail and password. */
    public sealed interface SignIn {
    }

    /** The password is right. */
    public record Accepted(Caller caller, boolean mustChangePassword) implements SignIn {
    }

    /** Wrong e-mail or password (which of the two is not said). */
    public record Refused() implements SignIn {
    }

    /** Too many failures for this account or from this address: nothing was checked; try again after the wait. */
    public record Throttled(Duration retryAfter) implements SignIn {
        /** Whole seconds, at least one, for {@code Retry-After} and messages. */
        public long seconds() {
            return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }

    /**
     * Checks a person's e-mail and password from a client address through a door ({@code console}, {@code api}), unless
     * that account or address is throttled ({@link SignInThrottle}), in which case no hash is computed.
     */
    public SignIn signIn(String email, String password, String address, String door) {
        Optional<Duration> wait = throttle.waitFor(email, address, door);
        if (wait.isPresent()) {
            return new Throttled(wait.get());
        }
        Optional<User> user = check(email, password);
        if (user.isEmpty()) {
            throttle.failed(email, address, door);
            return new Refused();
        }
        throttle.succeeded(email);
        return new Accepted(callerOf(user.get()), user.get().passwordMustChange);
    }

    /**
     * Changes a person's own password, given the current one (checked through the same throttle as a sign-in); the
     * answer is that check's.
     */
    @Transactional
    public SignIn changePassword(String email, String current, String replacement, String address) {
        SignIn check = signIn(email, current, address, "console");
        if (check instanceof Accepted) {
            User user = find(MemberService.normalize(email)).orElseThrow();
            user.passwordHash = hash(replacement);
            user.passwordMustChange = false;
        }
        return check;
    }

    /**
     * Sets the password of the person an invitation or reset link was issued to, and uses up the link, in one
     * transaction: a password that is refused leaves the link usable. Answers the person's e-mail.
     */
    @Transactional
    public Optional<String> choosePassword(String token, String password) {
        String hash = hash(password);
        return links.redeem(token).map(userId -> {
            User user = entityManager.find(User.class, userId);
            user.passwordHash = hash;
            user.passwordMustChange = false;
            return user.email;
        });
    }

    /** A password-reset link and the (normalized) e-mail it is for. */
    public record IssuedReset(String email, AccountLinks.Issued link) {
    }

    /** A password-reset link for an existing person, issued by a platform administrator (audited, platform chain). */
    @Transactional
    public IssuedReset issuePasswordReset(String email, String issuedBy) {
        String normalized = MemberService.normalize(email);
        User user = find(normalized).orElseThrow(() -> new NotFoundException("Nobody has the e-mail " + normalized));
        AccountLinks.Issued issued = links.reset(user.id, issuedBy);
        audit.recordFor(TenantContext.NO_TENANT, "account.password-reset", "user", normalized, null,
                Map.of("expiresAt", issued.expiresAt().toString()));
        return new IssuedReset(normalized, issued);
    }

    /** Whether the person must replace a password somebody else chose before doing anything else. */
    @Transactional
    public boolean mustChangePassword(String email) {
        return find(email).map(user -> user.passwordMustChange).orElse(false);
    }

    /** Sets a person's password directly: for tests and tools that act as the person. */
    @Transactional
    public void setPassword(String email, String password) {
        User user = find(MemberService.normalize(email)).orElseThrow(() -> new NotFoundException("User " + email));
        user.passwordHash = hash(password);
    }

    private static String hash(String password) {
        if (password == null || password.length() < 12 || password.length() > 72) {
            throw new InvalidInputException("weak-password", "A password is 12 to 72 characters");
        }
        return BcryptUtil.bcryptHash(password, BCRYPT_COST);
    }

    /** The person, if the e-mail and password match; as slow for unknown people as for known ones. */
    @Transactional
    Optional<User> check(String email, String password) {
        Optional<User> user;
        try {
            user = find(MemberService.normalize(email));
        } catch (RuntimeException invalidEmail) {
            return Optional.empty();
        }
        String hash = user.map(u -> u.passwordHash).orElse(null);
        boolean matches = BcryptUtil.matches(password == null ? "" : password, hash == null ? Decoy.HASH : hash);
        return matches && hash != null ? user : Optional.empty();
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
