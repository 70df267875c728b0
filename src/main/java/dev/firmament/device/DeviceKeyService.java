package dev.firmament.device;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.hibernate.orm.panache.Panache;

import dev.firmament.targeting.FleetChanges;

/** Device keys of the current tenant. */
@ApplicationScoped
public class DeviceKeyService {

    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            .toCharArray();
    /** 22 base-62 characters, about 131 bits: unguessable, yet short enough for NoFUSS's 100-character URLs. */
    static final int KEY_LENGTH = 22;

    private final SecureRandom random = new SecureRandom();
    private final FleetChanges changes;

    DeviceKeyService(FleetChanges changes) {
        this.changes = changes;
    }

    /** A new key and its secret, which is shown this once and stored only as a hash. */
    public record CreatedKey(DeviceKey key, String secret) {
    }

    @Transactional
    public CreatedKey create(String name, UUID defaultProductId, Long defaultGroupId) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("A device key name is 1 to 100 characters");
        }
        String secret = newSecret();
        DeviceKey key = new DeviceKey();
        key.id = UUID.randomUUID();
        key.name = name.strip();
        key.keyHash = DeviceKeyRegistry.hash(secret);
        key.keyHint = secret.substring(0, 4);
        key.defaultProductId = defaultProductId;
        key.defaultGroupId = defaultGroupId;
        key.createdAt = Instant.now();
        Panache.getEntityManager().persist(key);
        changes.deviceKeysChanged();
        return new CreatedKey(key, secret);
    }

    /** Revokes a key at once, on every replica: devices using it get 403 from then on. */
    @Transactional
    public boolean revoke(UUID id) {
        DeviceKey key = Panache.getEntityManager().find(DeviceKey.class, id);
        if (key == null || key.revokedAt != null) {
            return false;
        }
        key.revokedAt = Instant.now();
        changes.deviceKeysChanged();
        return true;
    }

    @Transactional
    public List<DeviceKey> list() {
        return Panache.getEntityManager().createQuery("from DeviceKey order by createdAt", DeviceKey.class)
                .getResultList();
    }

    private String newSecret() {
        char[] chars = new char[KEY_LENGTH];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
