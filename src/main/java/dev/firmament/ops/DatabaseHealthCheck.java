package dev.firmament.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the database, in place of the datasource extension's own check, whose failure message names the host and
 * port to anonymous callers.
 */
@Readiness
@ApplicationScoped
class DatabaseHealthCheck implements HealthCheck {

    private final DatabaseProbe probe;

    DatabaseHealthCheck(DatabaseProbe probe) {
        this.probe = probe;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("database").status(probe.failure() == null).build();
    }
}
