package dev.firmament.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness for traffic: a started replica answers devices from its decision snapshots in memory, whatever its database
 * or object store do at the moment, so taking it out of the Service for their outage would only cut devices off. It
 * touches neither and answers at once. Dependencies are reported at {@code /q/health/group/dependencies}.
 */
@Readiness
@ApplicationScoped
class ServingHealthCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("serving-devices").up().build();
    }
}
