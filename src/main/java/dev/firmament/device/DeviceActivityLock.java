package dev.firmament.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import jakarta.persistence.EntityManager;

/**
 * One lock per tenant, held to the end of the transaction by every transaction that writes many of the tenant's device
 * or rollout progress rows at once: a batch of device activity, and the rollout engine's and people's bulk changes to
 * rollout membership. They take turns instead of deadlocking. Locking rows in MAC order cannot promise that on its own:
 * a batch locks rows in several statements (registration, last seen, progress, verdicts), and PostgreSQL locks the rows
 * of an {@code UPDATE … FROM} in whatever order its plan visits them.
 *
 * <p>
 * Take it before any row lock of those tables. A batch writes in milliseconds, once per flush interval per replica, so
 * replicas queue behind one another for little; different tenants never wait for each other (short of a hash collision,
 * which only makes two tenants take turns).
 */
public final class DeviceActivityLock {

    /**
     * The two-key form of PostgreSQL's advisory locks, whose keys never meet the single-key ones (the audit chain's).
     * The first key names this lock among the product's two-key locks.
     */
    private static final String TAKE = "select pg_advisory_xact_lock(1, hashtext(?))";
    private static final String TAKE_NAMED = "select pg_advisory_xact_lock(1, hashtext(?1))";

    private DeviceActivityLock() {
    }

    static void take(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(TAKE)) {
            lock.setString(1, tenantId);
            lock.execute();
        }
    }

    /** In a transaction of the entity manager's. */
    public static void take(EntityManager entityManager, String tenantId) {
        entityManager.createNativeQuery(TAKE_NAMED).setParameter(1, tenantId).getSingleResult();
    }
}
