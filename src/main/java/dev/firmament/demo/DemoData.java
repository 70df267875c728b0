package dev.firmament.demo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

import dev.firmament.device.DeviceKeyService;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.targeting.RuleService;
import dev.firmament.tenant.TenantContext;
import dev.firmament.tenant.TenantService;

/**
 * A tenant to try Firmament with: product {@code DEMO_DEVICE}, a device key, release 1.0.0 and a rule offering it to
 * devices below 1.0.0. Created once, only when {@code firmament.demo-data.enabled} (on in the dev profile). The image
 * is a well-formed ESP header followed by noise: good for watching the protocol, not for flashing.
 */
@ApplicationScoped
public class DemoData {

    private static final Logger LOG = Logger.getLogger(DemoData.class);
    static final String SLUG = "demo";

    private final boolean enabled;
    private final int httpPort;
    private final String adminEmail;
    private final TenantService tenants;
    private final TenantContext context;
    private final ProductService products;
    private final ReleaseService releases;
    private final RuleService rules;
    private final DeviceKeyService keys;

    DemoData(@ConfigProperty(name = "firmament.demo-data.enabled") boolean enabled,
            @ConfigProperty(name = "quarkus.http.port") int httpPort,
            @ConfigProperty(name = "firmament.admin.email", defaultValue = "admin@firmament.local") String adminEmail,
            TenantService tenants, TenantContext context, ProductService products, ReleaseService releases,
            RuleService rules, DeviceKeyService keys) {
        this.enabled = enabled;
        this.httpPort = httpPort;
        this.adminEmail = adminEmail;
        this.tenants = tenants;
        this.context = context;
        this.products = products;
        this.releases = releases;
        this.rules = rules;
        this.keys = keys;
    }

    /** After the platform administrator exists ({@link dev.firmament.security.LocalAccounts}): they own the demo. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent event) throws IOException {
        if (!enabled) {
            return;
        }
        if (tenants.findBySlug(SLUG).isPresent()) {
            LOG.info("Demo tenant 'demo' exists; its device key was printed when it was created");
            return;
        }
        UUID tenant = tenants.create(SLUG, "Demo", adminEmail).tenant().id;
        Product product = context.callAs(tenant, () -> products.create("DEMO_DEVICE"));
        Release release = context.callAs(tenant, () -> {
            try {
                return releases.create(product.name, "1.0.0", "Demo release", new ByteArrayInputStream(image()), null);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        context.runAs(tenant, () -> rules.create(new RuleService.RuleSpec(product.id, List.of(), List.of(), null, null,
                List.of(new dev.firmament.targeting.VersionCondition("<", "1.0.0")), null, release.id, false)));
        String key = context.callAs(tenant, () -> keys.create("demo devices", product.id, null).secret());
        String base = "http://localhost:" + httpPort + "/d/" + key;
        LOG.infof("Demo data created. Device key (shown once): %s%n  ESPhttpUpdate URL: %s/update%n  NoFUSS server:"
                + "     %s/nofuss%n  Try: curl -i -H 'x-ESP8266-STA-MAC: 5C:CF:7F:00:00:01' -H 'x-ESP8266-mode: sketch'"
                + " -H 'x-ESP8266-version: 0.9.0' %s/update -o /dev/null", key, base, base, base);
    }

    /**
     * A stand-in ESP8266 application image: the header esptool writes (one segment, DIO, 4 MB at 40 MHz, an entry point
     * in instruction RAM), so it is read and offered as a real one would be; random bytes after it.
     */
    private static byte[] image() {
        byte[] image = new byte[64 * 1024];
        new Random(1).nextBytes(image);
        byte[] header = { (byte) 0xE9, 1, 2, 0x40, 0x00, (byte) 0xf0, 0x10, 0x40 };
        System.arraycopy(header, 0, image, 0, header.length);
        return image;
    }
}
