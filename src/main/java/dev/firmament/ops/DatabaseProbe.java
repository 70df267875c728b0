package dev.firmament.ops;

import java.sql.Connection;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;

/** Whether PostgreSQL answers, and if not, why (for the log and platform administrators, never anonymous callers). */
@ApplicationScoped
public class DatabaseProbe {

    private static final Logger LOG = Logger.getLogger(DatabaseProbe.class);

    private final AgroalDataSource dataSource;

    DatabaseProbe(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Whether the last probe failed: probes run every few seconds, the log says only when that changes. */
    private final AtomicBoolean down = new AtomicBoolean();

    /** Why the database does not answer, or null when it does. */
    public String failure() {
        String failure;
        try (Connection connection = dataSource.getConnection()) {
            failure = connection.isValid(2) ? null : "the connection did not validate within 2 s";
        } catch (Exception e) {
            failure = String.valueOf(e.getMessage());
        }
        if (failure != null && !down.getAndSet(true)) {
            LOG.warnf("Database is not available: %s", failure);
        } else if (failure == null && down.getAndSet(false)) {
            LOG.info("Database is available again");
        }
        return failure;
    }
}
