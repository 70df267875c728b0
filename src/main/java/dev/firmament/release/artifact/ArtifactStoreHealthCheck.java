package dev.firmament.release.artifact;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the artifact store answers: without it no device can download an image. */
@Readiness
@ApplicationScoped
class ArtifactStoreHealthCheck implements HealthCheck {

    private final ArtifactStore store;

    ArtifactStoreHealthCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("artifact-store").withData("store", store.describe());
        try {
            store.checkAvailable();
            return response.up().build();
        } catch (Exception e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
