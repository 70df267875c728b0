package dev.firmament.tenant;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;

/**
 * The one way to act as a tenant. Request filters call {@link #enter(UUID)} once they have authenticated the caller;
 * background work wraps itself in {@link #callAs(UUID, Supplier)}. The ORM reads the tenant from here, so every
 * repository query is filtered by it, and every store key, cache and event takes it from here explicitly.
 */
@ApplicationScoped
public class TenantContext {

    /** Matches no tenant: queries made outside any tenant see nothing, and inserts fail the foreign key. */
    public static final UUID NO_TENANT = new UUID(0, 0);

    private final CurrentTenant current;
    private final TransactionManager transactions;

    TenantContext(CurrentTenant current, TransactionManager transactions) {
        this.current = current;
        this.transactions = transactions;
    }

    /** The tenant of the current request or unit of work, if one was entered. */
    public Optional<UUID> current() {
        if (!Arc.container().requestContext().isActive()) {
            return Optional.empty();
        }
        return Optional.ofNullable(current.id());
    }

    /** The current tenant; fails where code that needs one runs outside any tenant. */
    public UUID require() {
        return current().orElseThrow(() -> new IllegalStateException("No tenant is active here"));
    }

    /**
     * Makes {@code tenantId} the tenant for the rest of the current request. A request acts for one tenant only: a
     * second, different tenant is refused rather than silently mixing two tenants' data.
     */
    public void enter(UUID tenantId) {
        if (tenantId == null) {
            throw new IllegalArgumentException("tenantId");
        }
        UUID existing = current.id();
        if (existing != null && !existing.equals(tenantId)) {
            throw new IllegalStateException("This request already acts for another tenant");
        }
        current.set(tenantId);
    }

    /**
     * Runs {@code work} as {@code tenantId} in a request context of its own, from a scheduler, a listener or a test. It
     * must start outside a transaction: a Hibernate session opened earlier keeps the tenant it was opened with.
     */
    public <T> T callAs(UUID tenantId, Supplier<T> work) {
        if (tenantId == null) {
            throw new IllegalArgumentException("tenantId");
        }
        requireNoTransaction();
        ManagedContext requestContext = Arc.container().requestContext();
        var outer = requestContext.isActive() ? requestContext.getState() : null;
        if (outer != null) {
            requestContext.deactivate();
        }
        requestContext.activate();
        try {
            current.set(tenantId);
            return work.get();
        } finally {
            requestContext.terminate();
            if (outer != null) {
                requestContext.activate(outer);
            }
        }
    }

    /** {@link #callAs(UUID, Supplier)} for work without a result. */
    public void runAs(UUID tenantId, Runnable work) {
        callAs(tenantId, () -> {
            work.run();
            return null;
        });
    }

    private void requireNoTransaction() {
        try {
            if (transactions.getStatus() != Status.STATUS_NO_TRANSACTION) {
                throw new IllegalStateException("Switch tenants outside a transaction, not inside one");
            }
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }
}
