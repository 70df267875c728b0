package dev.firmament.ops;

import java.sql.Connection;

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

    /** Why the database does not answer, or null when it does. */
    public String failure() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2) ? null : "the connection did not validate within 2 s";
        } catch (Exception e) {
            LOG.warnf("Database is not available: %s", e.getMessage());
            return String.valueOf(e.getMessage());
        }
    }
}
