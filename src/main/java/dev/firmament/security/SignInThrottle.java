package dev.firmament.security;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;

import dev.firmament.audit.AuditService;
import dev.firmament.db.SqlFilter;

/**
 * Throttles password guessing on both doors (console form, API Basic): after {@code firmament.accounts.max-failures}
 * failures for one account, or {@code max-failures-per-address} from one client address, within the failure window,
 * every further attempt is refused unchecked until a delay has passed that doubles with each failure. The counts live
 * in PostgreSQL, so every replica enforces the same limits; the check costs one indexed read, never a bcrypt hash.
 */
@ApplicationScoped
public class SignInThrottle {

    private static final Logger LOG = Logger.getLogger(SignInThrottle.class);

    private final EntityManager entityManager;
    private final AccountsConfig config;
    private final InstantSource clock;
    private final AuditService audit;
    private final MeterRegistry metrics;

    SignInThrottle(EntityManager entityManager, AccountsConfig config, InstantSource clock, AuditService audit,
            MeterRegistry metrics) {
        this.entityManager = entityManager;
        this.config = config;
        this.clock = clock;
        this.audit = audit;
        this.metrics = metrics;
    }

    /** How long the account or the address must still wait, if either is throttled now. */
    @Transactional
    public Optional<Duration> waitFor(String email, String address, String door) {
        Instant now = clock.instant();
        List<?> rows = entityManager
                .createNativeQuery("select max(blocked_until) from sign_in_failures where subject in (?1, ?2)"
                        + " and blocked_until > ?3")
                .setParameter(1, account(email)).setParameter(2, address(address)).setParameter(3, Timestamp.from(now))
                .getResultList();
        Object until = rows.isEmpty() ? null : rows.get(0);
        if (until == null) {
            return Optional.empty();
        }
        metrics.counter("firmament_sign_in_throttled", "door", door).increment();
        return Optional.of(Duration.between(now, SqlFilter.instant(until)));
    }

    /** Counts a wrong password (or unknown person) against the account and the address. */
    @Transactional
    public void failed(String email, String address, String door) {
        metrics.counter("firmament_sign_in_failures", "door", door).increment();
        Instant now = clock.instant();
        int accountFailures = count(account(email), now);
        int addressFailures = count(address(address), now);
        Optional<Instant> accountBlocked = block(account(email), accountFailures, config.maxFailures(), now);
        block(address(address), addressFailures, config.maxFailuresPerAddress(), now);
        if (accountBlocked.isPresent() && accountFailures == config.maxFailures()) {
            LOG.warnf("Sign-ins for %s throttled after %d failures (last from %s, %s)", normalized(email),
                    accountFailures, address, door);
            audit.record("account.locked", "user", normalized(email), null,
                    Map.of("failures", accountFailures, "until", accountBlocked.get().toString(), "door", door));
        }
        if (addressFailures == config.maxFailuresPerAddress()) {
            LOG.warnf("Sign-ins from %s throttled after %d failures (%s)", address, addressFailures, door);
        }
    }

    /** A correct password ends the account's count (the address keeps its own). */
    @Transactional
    public void succeeded(String email) {
        entityManager.createNativeQuery("delete from sign_in_failures where subject = ?1")
                .setParameter(1, account(email)).executeUpdate();
    }

    /** One more failure in the subject's window (a window that has passed starts over); answers the count. */
    private int count(String subject, Instant now) {
        Object failures = entityManager
                .createNativeQuery("insert into sign_in_failures (subject, failures,"
                        + " window_start) values (?1, 1, ?2) on conflict (subject) do update set"
                        + " failures = case when sign_in_failures.window_start < ?3 then 1"
                        + " else sign_in_failures.failures + 1 end,"
                        + " window_start = case when sign_in_failures.window_start < ?3 then ?2"
                        + " else sign_in_failures.window_start end returning failures")
                .setParameter(1, subject).setParameter(2, Timestamp.from(now))
                .setParameter(3, Timestamp.from(now.minus(config.failureWindow()))).getSingleResult();
        return ((Number) failures).intValue();
    }

    private Optional<Instant> block(String subject, int failures, int limit, Instant now) {
        if (failures < limit) {
            return Optional.empty();
        }
        Instant until = now.plus(delay(failures - limit));
        entityManager.createNativeQuery("update sign_in_failures set blocked_until = ?2 where subject = ?1")
                .setParameter(1, subject).setParameter(2, Timestamp.from(until)).executeUpdate();
        return Optional.of(until);
    }

    /** The wait after the {@code excess}-th failure beyond the limit: the base delay doubled that often, capped. */
    Duration delay(int excess) {
        Duration max = config.maxThrottleDelay();
        Duration delay = config.throttleDelay();
        for (int i = 0; i < excess && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    private static String account(String email) {
        return "account:" + normalized(email);
    }

    private static String address(String address) {
        return "address:" + (address == null ? "unknown" : address);
    }

    private static String normalized(String email) {
        String value = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        return value.length() > 254 ? value.substring(0, 254) : value;
    }
}
