package dev.firmament.targeting;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.jboss.logging.Logger;

import dev.firmament.device.DeviceKeyRegistry;
import dev.firmament.tenant.TenantContext;

/**
 * Announces that a tenant's targeting data changed. PostgreSQL delivers a NOTIFY only when the transaction that sent it
 * commits, so every replica rebuilds from committed data; the replica that made the change also rebuilds right after
 * its commit, so whoever made the change sees it at once.
 */
@ApplicationScoped
public class FleetChanges {

    private static final Logger LOG = Logger.getLogger(FleetChanges.class);

    /** The channel every replica listens on; the payload is the tenant id, or {@link #DEVICE_KEYS}. */
    public static final String CHANNEL = "firmament_fleet_changes";
    /** Payload announcing a change to device keys, which are looked up across tenants. */
    public static final String DEVICE_KEYS = "device-keys";

    private final EntityManager entityManager;
    private final TransactionSynchronizationRegistry transactions;
    private final TargetingSnapshots snapshots;
    private final DeviceKeyRegistry keys;
    private final TenantContext tenants;

    FleetChanges(EntityManager entityManager, TransactionSynchronizationRegistry transactions,
            TargetingSnapshots snapshots, DeviceKeyRegistry keys, TenantContext tenants) {
        this.tenants = tenants;
        this.entityManager = entityManager;
        this.transactions = transactions;
        this.snapshots = snapshots;
        this.keys = keys;
    }

    /** Call inside the transaction that changed the current tenant's targeting data. */
    public void currentTenantChanged() {
        tenantChanged(tenants.require().toString());
    }

    /** Call inside the transaction that made the change. */
    public void tenantChanged(String tenantId) {
        notify(tenantId);
        afterCommit(() -> snapshots.rebuild(tenantId));
    }

    /** Call inside the transaction that created, changed or revoked a device key. */
    public void deviceKeysChanged() {
        notify(DEVICE_KEYS);
        afterCommit(() -> {
            try {
                keys.reload();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void notify(String payload) {
        entityManager.createNativeQuery("select pg_notify(?1, ?2)").setParameter(1, CHANNEL).setParameter(2, payload)
                .getSingleResult();
    }

    private void afterCommit(Runnable rebuild) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    try {
                        rebuild.run();
                    } catch (RuntimeException e) {
                        // The NOTIFY is committed: the listener will rebuild shortly anyway.
                        LOG.warn("Immediate snapshot rebuild failed; the change listener will retry", e);
                    }
                }
            }
        });
    }
}
