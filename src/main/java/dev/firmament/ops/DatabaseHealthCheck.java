package dev.firmament.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.HealthGroup;

/**
 * Whether the database answers ({@code /q/health/group/dependencies}), in place of the datasource extension's own
 * check, whose failure message names the host and port to anonymous callers. Not part of readiness: devices are served
 * from memory while the database is away, and what they report waits in the journal.
 */
@HealthGroup("dependencies")
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
