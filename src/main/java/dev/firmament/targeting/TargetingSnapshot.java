package dev.firmament.targeting;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the decider needs about one tenant, in memory and immutable: products, releases, pins, group memberships,
 * the rollouts in effect (per product, in precedence order), the ordered rules, and the devices people blocked or
 * assigned a product. A check-in reads only this.
 */
public record TargetingSnapshot(String tenantId, Map<String, UUID> productsByName, Map<Long, ReleaseEntry> releases,
        Map<String, PinEntry> pinsByMac, Map<String, Set<Long>> groupsByMac, Map<UUID, List<RolloutEntry>> rollouts,
        List<RuleEntry> rules, Map<String, DeviceOverride> devices) {

    /** A tenant with nothing configured yet. */
    public static TargetingSnapshot empty(String tenantId) {
        return new TargetingSnapshot(tenantId, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), List.of(), Map.of());
    }

    /** The rollouts in effect for a product, the one that decides first first. */
    public List<RolloutEntry> rolloutsOf(UUID productId) {
        return rollouts.getOrDefault(productId, List.of());
    }

    /** The rollout in effect that ships {@code releaseId}, if any. */
    public RolloutEntry rolloutShipping(long releaseId) {
        for (List<RolloutEntry> ofProduct : rollouts.values()) {
            for (RolloutEntry rollout : ofProduct) {
                if (rollout.releaseId() == releaseId) {
                    return rollout;
                }
            }
        }
        return null;
    }

    /** This snapshot with one more rollout in effect, placed by precedence: to work out who a new rollout reaches. */
    public TargetingSnapshot with(RolloutEntry added) {
        Map<UUID, List<RolloutEntry>> all = new java.util.HashMap<>(rollouts);
        List<RolloutEntry> ofProduct = new java.util.ArrayList<>(rolloutsOf(added.productId()));
        ofProduct.removeIf(r -> r.id() == added.id());
        ofProduct.add(added);
        ofProduct.sort(RolloutEntry.PRECEDENCE);
        all.put(added.productId(), List.copyOf(ofProduct));
        return new TargetingSnapshot(tenantId, productsByName, releases, pinsByMac, groupsByMac, Map.copyOf(all), rules,
                devices);
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

    /**
     * An image of a release: its content address, MD5 and size, and what its header says it runs on (firmware read at
     * upload; null for filesystem images and for firmware stored before headers were read).
     */
    public record Image(String sha256, String md5, long size, Hardware hardware) {
        public Image(String sha256, String md5, long size) {
            this(sha256, md5, size, null);
        }
    }

    /**
     * A firmware image's target: {@code format} {@code esp8266-app}, {@code esp32-app} or {@code gzip}; {@code chip}
     * {@code esp8266}, {@code esp32s3}, …; {@code flashSize} the flash it was built for (null if unknown).
     */
    public record Hardware(String format, String chip, Long flashSize) {
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

    /** How far a rollout in effect has come. */
    public enum RolloutPhase {
        /** Its open waves get the release. */
        RUNNING,
        /** Nobody new gets it; its devices wait. */
        PAUSED,
        /** Every wave is open: late devices still get it. */
        COMPLETED
    }

    /**
     * A rollout in effect: who is eligible, how they fall into waves, how many waves are open.
     *
     * @param startedAt
     *            orders rollouts of equal priority: the later one decides first
     * @param downloadCap
     *            concurrent downloads allowed by the newest open wave (per replica), or null
     * @param allowDowngrade
     *            a rollback: devices running something newer than the release are in it too
     */
    public record RolloutEntry(long id, UUID productId, long releaseId, RolloutPhase phase, int priority,
            java.time.Instant startedAt, List<VersionCondition> eligibleVersions, Set<Long> eligibleGroups,
            List<WaveEntry> waves, int openWaves, DeliveryWindow window, Set<String> quarantined, Integer downloadCap,
            boolean allowDowngrade) {

        /** Higher priority first, then the later start. */
        public static final java.util.Comparator<RolloutEntry> PRECEDENCE = java.util.Comparator
                .comparingInt(RolloutEntry::priority).reversed()
                .thenComparing(RolloutEntry::startedAt, java.util.Comparator.reverseOrder())
                .thenComparing(java.util.Comparator.comparingLong(RolloutEntry::id).reversed());
    }

    /**
     * One wave's selector: members of {@code groupIds} (when not empty) whose bucket is below
     * {@code percentBasisPoints} (when not null; 10000 is everyone).
     */
    public record WaveEntry(Set<Long> groupIds, Integer percentBasisPoints) {

        /** From stored columns: group ids and a percent with up to two decimals, or null. */
        public static WaveEntry of(Long[] groupIds, java.math.BigDecimal percent) {
            return new WaveEntry(Set.of(groupIds), percent == null ? null : percent.movePointRight(2).intValue());
        }
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
