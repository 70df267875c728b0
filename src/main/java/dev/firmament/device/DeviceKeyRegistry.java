package dev.firmament.device;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;

import dev.firmament.security.Secrets;

/**
 * Every live device key of every tenant, in memory, by the SHA-256 of the key: the device endpoints resolve the tenant
 * without touching the database. Revoked keys are simply absent.
 */
@ApplicationScoped
public class DeviceKeyRegistry {

    private static final Logger LOG = Logger.getLogger(DeviceKeyRegistry.class);

    /** What a valid key tells about the devices that use it. */
    public record Entry(String tenantId, UUID keyId, UUID defaultProductId, Long defaultGroupId) {
    }

    private final AgroalDataSource dataSource;
    private volatile Map<String, Entry> byHash;

    DeviceKeyRegistry(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The key's entry, or empty for an unknown or revoked key. */
    public Optional<Entry> find(String key) {
        if (key == null || key.length() < 16 || key.length() > 64) {
            return Optional.empty();
        }
        Map<String, Entry> current = byHash;
        if (current == null) {
            current = reloadQuietly();
        }
        return Optional.ofNullable(current.get(hash(key)));
    }

    /** Reloads all keys; called on every device-key change notification. */
    public void reload() throws SQLException {
        Map<String, Entry> keys = new HashMap<>();
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement();
                var rs = statement.executeQuery("select key_hash, tenant_id, id, default_product_id, default_group_id"
                        + " from device_keys where revoked_at is null")) {
            while (rs.next()) {
                keys.put(rs.getString(1), new Entry(rs.getString(2), rs.getObject(3, UUID.class),
                        rs.getObject(4, UUID.class), rs.getObject(5, Long.class)));
            }
        }
        byHash = Map.copyOf(keys);
    }

    private synchronized Map<String, Entry> reloadQuietly() {
        if (byHash == null) {
            try {
                reload();
            } catch (SQLException e) {
                LOG.error("Could not load device keys", e);
                return Map.of();
            }
        }
        return byHash;
    }

    /** Keys are long random strings, so an unsalted SHA-256 is as good as a password hash and far cheaper. */
    public static String hash(String key) {
        return Secrets.sha256(key);
    }
}
