package dev.firmament.testing;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.firmament.device.DeviceActivityRecorder;
import dev.firmament.device.DeviceKeyService;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.targeting.GroupService;
import dev.firmament.targeting.MacGroup;
import dev.firmament.targeting.PinService;
import dev.firmament.targeting.RuleService;
import dev.firmament.targeting.VersionRule;
import dev.firmament.tenant.TenantContext;
import dev.firmament.tenant.TenantService;

/** Builds tenants and their fleet data through the real services, for tests. */
@ApplicationScoped
public class Fleet {

    private final TenantService tenants;
    private final TenantContext context;
    private final ProductService products;
    private final ReleaseService releases;
    private final DeviceKeyService keys;
    private final RuleService rules;
    private final GroupService groups;
    private final PinService pins;
    private final DeviceActivityRecorder recorder;

    Fleet(TenantService tenants, TenantContext context, ProductService products, ReleaseService releases,
            DeviceKeyService keys, RuleService rules, GroupService groups, PinService pins,
            DeviceActivityRecorder recorder) {
        this.tenants = tenants;
        this.context = context;
        this.products = products;
        this.releases = releases;
        this.keys = keys;
        this.rules = rules;
        this.groups = groups;
        this.pins = pins;
        this.recorder = recorder;
    }

    /** A new tenant with one product and a device key defaulting to it. */
    public Tenant tenant(String productName) {
        String slug = "t-" + UUID.randomUUID().toString().substring(0, 12);
        UUID id = tenants.create(slug, "Test tenant", "owner@" + slug + ".example").tenant().id;
        Product product = context.callAs(id, () -> products.create(productName));
        String key = context.callAs(id, () -> keys.create("test devices", product.id, null).secret());
        return new Tenant(id, product, key);
    }

    public String slugOf(UUID tenantId) {
        return tenants.list().stream().filter(t -> t.id.equals(tenantId)).findFirst().orElseThrow().slug;
    }

    public DeviceKeyService deviceKeys() {
        return keys;
    }

    public PinService pins() {
        return pins;
    }

    public RuleService rules() {
        return rules;
    }

    public ReleaseService releases() {
        return releases;
    }

    /** Writes queued device activity now instead of within the flush interval. */
    public void flushActivity() {
        recorder.flush();
    }

    /** A tenant as tests use it. */
    public final class Tenant {
        public final UUID id;
        public final Product product;
        public final String deviceKey;

        Tenant(UUID id, Product product, String deviceKey) {
            this.id = id;
            this.product = product;
            this.deviceKey = deviceKey;
        }

        public Release release(String version, byte[] firmware, byte[] filesystem) {
            return context.callAs(id, () -> {
                try {
                    return releases.create(product.name, version, "notes for " + version,
                            firmware == null ? null : new ByteArrayInputStream(firmware),
                            filesystem == null ? null : new ByteArrayInputStream(filesystem));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        public VersionRule rule(Release release, String versionMin, String versionMax) {
            return context.callAs(id, () -> rules.create(new RuleService.RuleSpec(product.id, List.of(), List.of(),
                    versionMin, versionMax, List.of(), null, release.id, false)));
        }

        public VersionRule rule(RuleService.RuleSpec spec) {
            return context.callAs(id, () -> rules.create(spec));
        }

        public MacGroup group(String name, String... macs) {
            return context.callAs(id, () -> {
                MacGroup group = groups.create(name);
                groups.addMembers(group.id, List.of(macs));
                return group;
            });
        }

        public void pin(String mac, Release release, boolean allowDowngrade) {
            context.runAs(id, () -> pins.pin(mac, release.id, allowDowngrade));
        }

        public <T> T as(java.util.function.Supplier<T> work) {
            return context.callAs(id, work);
        }
    }

    /**
     * A plausible ESP8266 image: 0xE9, one segment, DIO, 4 MB of flash at 40 MHz, eboot's entry point (0x4010f000),
     * then deterministic noise.
     */
    public static byte[] espImage(int size, int seed) {
        return esp8266Image(size, seed, 0x40);
    }

    /** An ESP8266 image whose header declares {@code sizeAndFrequency} (byte 3: size nibble, frequency nibble). */
    public static byte[] esp8266Image(int size, int seed, int sizeAndFrequency) {
        byte[] image = new byte[size];
        new Random(seed).nextBytes(image);
        image[0] = (byte) 0xE9;
        image[1] = 1;
        image[2] = 2;
        image[3] = (byte) sizeAndFrequency;
        image[4] = 0x00;
        image[5] = (byte) 0xf0;
        image[6] = 0x10;
        image[7] = 0x40;
        return image;
    }

    /**
     * A plausible ESP32-family application image: entry point 0x40080000, 4 MB of flash, the extended header naming
     * esptool's {@code chipId} (0 ESP32, 9 ESP32-S3, 5 ESP32-C3, …), revisions v0.0 to v99.99, SHA-256 appended.
     */
    public static byte[] esp32Image(int size, int seed, int chipId) {
        byte[] image = new byte[size];
        new Random(seed).nextBytes(image);
        byte[] header = { (byte) 0xE9, 3, 2, 0x20, 0x00, 0x00, 0x08, 0x40, (byte) 0xee, 0, 0, 0, (byte) chipId,
                (byte) (chipId >> 8), 0, 0, 0, (byte) 0x0f, 0x27, 0, 0, 0, 0, 1 };
        System.arraycopy(header, 0, image, 0, header.length);
        return image;
    }

    public static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
