package dev.firmament.targeting;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the decider needs about one tenant, in memory and immutable: products, releases, pins, group memberships,
 * the ordered rules, and the devices people blocked or assigned a product. A check-in reads only this.
 */
public record TargetingSnapshot(String tenantId, Map<String, UUID> productsByName, Map<Long, ReleaseEntry> releases,
        Map<String, PinEntry> pinsByMac, Map<String, Set<Long>> groupsByMac, List<RuleEntry> rules,
        Map<String, DeviceOverride> devices) {

    /** A tenant with nothing configured yet. */
    public static TargetingSnapshot empty(String tenantId) {
        return new TargetingSnapshot(tenantId, Map.of(), Map.of(), Map.of(), Map.of(), List.of(), Map.of());
    }

    /** The groups of a MAC; none for a device that did not say its MAC (NoFUSS 0.1). */
    public Set<Long> groupsOf(String mac) {
        return mac == null ? Set.of() : groupsByMac.getOrDefault(mac, Set.of());
    }

    public DeviceOverride deviceOverride(String mac) {
        return mac == null ? DeviceOverride.NONE : devices.getOrDefault(mac, DeviceOverride.NONE);
    }

    public PinEntry pin(String mac) {
        return mac == null ? null : pinsByMac.get(mac);
    }

    /** An image of a release: its content address, MD5 and size. */
    public record Image(String sha256, String md5, long size) {
    }

    /** A release as the device side sees it. */
    public record ReleaseEntry(long id, UUID productId, String version, Image firmware, Image filesystem) {
        public Image image(ImageKind kind) {
            return kind == ImageKind.FIRMWARE ? firmware : filesystem;
        }
    }

    /** A MAC pinned to a release. */
    public record PinEntry(String mac, long releaseId, boolean allowDowngrade) {
    }

    /** One rule, ready to match. */
    public record RuleEntry(long id, UUID productId, Set<String> macs, Set<Long> groupIds,
            List<VersionCondition> versionConditions, String buildNot, long releaseId, boolean allowDowngrade) {
    }

    /** What people decided about one device. */
    public record DeviceOverride(boolean blocked, UUID assignedProductId) {
        static final DeviceOverride NONE = new DeviceOverride(false, null);
    }

    /** Which of a release's images. */
    public enum ImageKind {
        FIRMWARE, FILESYSTEM
    }
}
