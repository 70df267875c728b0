package dev.firmament.device;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.hibernate.orm.panache.Panache;

import dev.firmament.audit.AuditService;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.PlainText;
import dev.firmament.security.Secrets;
import dev.firmament.targeting.FleetChanges;

/** Device keys of the current tenant. */
@ApplicationScoped
public class DeviceKeyService {

    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            .toCharArray();
    /** 22 base-62 characters, about 131 bits: unguessable, yet short enough for NoFUSS's 100-character URLs. */
    static final int KEY_LENGTH = 22;

    private final FleetChanges changes;
    private final AuditService audit;
    private final Optional<URI> publicUrl;

    DeviceKeyService(FleetChanges changes, AuditService audit,
            @ConfigProperty(name = "firmament.public-url") Optional<URI> publicUrl) {
        this.changes = changes;
        this.audit = audit;
        this.publicUrl = publicUrl;
    }

    /** The URLs a key's devices use: header protocol and NoFUSS, and where their address came from. */
    public record DeviceUrls(String update, String nofuss, Base base) {
    }

    /** Where the device URLs' address came from, which says how far a person can trust it. */
    public enum Base {
        /** {@code firmament.public-url}: what the operator said devices reach. */
        CONFIGURED,
        /** The address the request came in on: right when devices reach Firmament the same way the browser did. */
        REQUEST,
        /** A loopback address from the request: this machine only, which no device can reach. */
        LOOPBACK
    }

    /** The device URLs of a key, on {@code firmament.public-url} or else the base the request came in on. */
    public DeviceUrls urls(String secret, URI requestBase) {
        URI chosen = publicUrl.orElse(requestBase);
        String base = chosen.toString().replaceAll("/+$", "") + "/d/" + secret;
        Base source = publicUrl.isPresent() ? Base.CONFIGURED
                : loopback(chosen.getHost()) ? Base.LOOPBACK : Base.REQUEST;
        return new DeviceUrls(base + "/update", base + "/nofuss", source);
    }

    private static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String bare = host.replaceAll("^\\[|\\]$", "").toLowerCase(java.util.Locale.ROOT);
        return bare.equals("localhost") || bare.endsWith(".localhost") || bare.startsWith("127.") || bare.equals("::1")
                || bare.equals("0:0:0:0:0:0:0:1") || bare.equals("0.0.0.0");
    }

    /** A new key and its secret, which is shown this once and stored only as a hash. */
    public record CreatedKey(DeviceKey key, String secret) {
    }

    @Transactional
    public CreatedKey create(String name, UUID defaultProductId, Long defaultGroupId) {
        PlainText.name(name, "device key", 100);
        var entityManager = Panache.getEntityManager();
        if (defaultProductId != null
                && entityManager.find(dev.firmament.release.Product.class, defaultProductId) == null) {
            throw new InvalidInputException("unknown-product", "No product " + defaultProductId);
        }
        if (defaultGroupId != null
                && entityManager.find(dev.firmament.targeting.MacGroup.class, defaultGroupId) == null) {
            throw new InvalidInputException("unknown-group", "No group " + defaultGroupId);
        }
        String secret = Secrets.random(KEY_LENGTH);
        DeviceKey key = new DeviceKey();
        key.id = UUID.randomUUID();
        key.name = name.strip();
        key.keyHash = DeviceKeyRegistry.hash(secret);
        key.keyHint = secret.substring(0, 4);
        key.defaultProductId = defaultProductId;
        key.defaultGroupId = defaultGroupId;
        key.createdAt = Instant.now();
        Panache.getEntityManager().persist(key);
        audit.record("device-key.create", "device-key", key.id.toString(), null, view(key));
        changes.deviceKeysChanged();
        return new CreatedKey(key, secret);
    }

    /** Revokes a key at once, on every replica: devices using it get 403 from then on. Idempotent. */
    @Transactional
    public DeviceKey revoke(UUID id) {
        DeviceKey key = Panache.getEntityManager().find(DeviceKey.class, id);
        if (key == null) {
            throw new dev.firmament.errors.NotFoundException("Device key " + id);
        }
        if (key.revokedAt == null) {
            var before = view(key);
            key.revokedAt = Instant.now();
            audit.record("device-key.revoke", "device-key", key.id.toString(), before, view(key));
            changes.deviceKeysChanged();
        }
        return key;
    }

    @Transactional
    public List<DeviceKey> list() {
        return Panache.getEntityManager().createQuery("from DeviceKey order by createdAt", DeviceKey.class)
                .getResultList();
    }

    static java.util.Map<String, Object> view(DeviceKey key) {
        java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("name", key.name);
        view.put("hint", key.keyHint);
        view.put("defaultProductId", key.defaultProductId == null ? null : key.defaultProductId.toString());
        view.put("defaultGroupId", key.defaultGroupId);
        view.put("revokedAt", key.revokedAt == null ? null : key.revokedAt.toString());
        return view;
    }
}
