package dev.firmament.targeting;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.audit.AuditService;
import dev.firmament.device.Mac;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.Release;

/** MAC pins of the current tenant. */
@ApplicationScoped
public class PinService {

    private final EntityManager entityManager;
    private final FleetChanges changes;
    private final AuditService audit;

    PinService(EntityManager entityManager, FleetChanges changes, AuditService audit) {
        this.entityManager = entityManager;
        this.changes = changes;
        this.audit = audit;
    }

    /** Pins {@code mac} to a release, replacing an earlier pin. */
    @Transactional
    public Pin pin(String mac, long releaseId, boolean allowDowngrade) {
        String canonical = Mac.require(mac);
        if (entityManager.find(Release.class, releaseId) == null) {
            throw new InvalidInputException("unknown-release", "No release " + releaseId);
        }
        Pin pin = find(canonical);
        java.util.Map<String, Object> before = pin == null ? null : view(pin);
        if (pin == null) {
            pin = new Pin();
            pin.mac = canonical;
            pin.createdAt = Instant.now();
            pin.releaseId = releaseId;
            pin.allowDowngrade = allowDowngrade;
            entityManager.persist(pin);
        } else {
            pin.releaseId = releaseId;
            pin.allowDowngrade = allowDowngrade;
        }
        audit.record("pin.set", "pin", canonical, before, view(pin));
        changes.currentTenantChanged();
        return pin;
    }

    @Transactional
    public java.util.List<Pin> list() {
        return entityManager.createQuery("from Pin order by mac", Pin.class).getResultList();
    }

    /** A page of the pins, by MAC, after cursor {@code after} (null for the first page). */
    @Transactional
    public dev.firmament.db.PageCursor.Slice<Pin> list(String after, int limit) {
        java.util.List<String> keys = dev.firmament.db.PageCursor.decode(after, "mac", 1);
        java.util.List<Pin> pins = entityManager.createQuery("from Pin where mac > ?1 order by mac", Pin.class)
                .setParameter(1, keys == null ? "" : keys.get(0)).setMaxResults(limit + 1).getResultList();
        return dev.firmament.db.PageCursor.slice(pins, limit,
                last -> dev.firmament.db.PageCursor.encode("mac", last.mac));
    }

    private static java.util.Map<String, Object> view(Pin pin) {
        return java.util.Map.of("mac", pin.mac, "releaseId", pin.releaseId, "allowDowngrade", pin.allowDowngrade);
    }

    private Pin find(String mac) {
        return entityManager.createQuery("from Pin where mac = ?1", Pin.class).setParameter(1, mac).getResultStream()
                .findFirst().orElse(null);
    }

    @Transactional
    public boolean unpin(String mac) {
        Pin pin = find(Mac.require(mac));
        if (pin == null) {
            return false;
        }
        entityManager.remove(pin);
        audit.record("pin.delete", "pin", pin.mac, view(pin), null);
        changes.currentTenantChanged();
        return true;
    }
}
