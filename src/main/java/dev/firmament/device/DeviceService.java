package dev.firmament.device;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.hibernate.orm.panache.Panache;

import dev.firmament.audit.AuditService;
import dev.firmament.targeting.FleetChanges;

/** What people change about devices: blocking, and the product a device counts as. */
@ApplicationScoped
public class DeviceService {

    private final FleetChanges changes;
    private final AuditService audit;

    DeviceService(FleetChanges changes, AuditService audit) {
        this.changes = changes;
        this.audit = audit;
    }

    private static java.util.Map<String, Object> view(Device device) {
        java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("blocked", device.blocked);
        view.put("assignedProductId", device.assignedProductId == null ? null : device.assignedProductId.toString());
        return view;
    }

    @Transactional
    public Optional<Device> find(String mac) {
        return Panache.getEntityManager().createQuery("from Device where mac = ?1", Device.class)
                .setParameter(1, Mac.require(mac)).getResultStream().findFirst();
    }

    /** Blocks or unblocks a device; a blocked device gets 403 (header protocol) or {@code {}} (NoFUSS). */
    @Transactional
    public Optional<Device> setBlocked(String mac, boolean blocked) {
        return change(mac, blocked ? "device.block" : "device.unblock", device -> device.blocked = blocked);
    }

    /** Assigns the product the device counts as (null: back to what it or its key says). */
    @Transactional
    public Optional<Device> assignProduct(String mac, UUID productId) {
        return change(mac, "device.assign-product", device -> device.assignedProductId = productId);
    }

    private Optional<Device> change(String mac, String action, java.util.function.Consumer<Device> change) {
        Optional<Device> device = find(mac);
        device.ifPresent(d -> {
            var before = view(d);
            change.accept(d);
            audit.record(action, "device", d.mac, before, view(d));
            changes.currentTenantChanged();
        });
        return device;
    }
}
