package dev.firmament.targeting;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.firmament.device.Mac;
import dev.firmament.release.Release;

/** MAC pins of the current tenant. */
@ApplicationScoped
public class PinService {

    private final EntityManager entityManager;
    private final FleetChanges changes;

    PinService(EntityManager entityManager, FleetChanges changes) {
        this.entityManager = entityManager;
        this.changes = changes;
    }

    /** Pins {@code mac} to a release, replacing an earlier pin. */
    @Transactional
    public Pin pin(String mac, long releaseId, boolean allowDowngrade) {
        String canonical = Mac.require(mac);
        if (entityManager.find(Release.class, releaseId) == null) {
            throw new IllegalArgumentException("No release " + releaseId);
        }
        Pin pin = find(canonical);
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
        changes.currentTenantChanged();
        return pin;
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
        changes.currentTenantChanged();
        return true;
    }
}
