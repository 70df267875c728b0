package dev.firmament.release.artifact;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready only while the artifact store answers: without it no device can download an image. Health endpoints are
 * anonymous, so they say only the kind of store and whether it answers; where it is and why it failed go to the log and
 * to platform administrators ({@code GET /api/v1/platform/health}).
 */
@Readiness
@ApplicationScoped
class ArtifactStoreHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ArtifactStoreHealthCheck.class);

    private final ArtifactStore store;

    ArtifactStoreHealthCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("artifact-store").withData("store", store.kind());
        try {
            store.checkAvailable();
            return response.up().build();
        } catch (Exception e) {
            LOG.warnf("Artifact store %s is not available: %s", store.describe(), e.getMessage());
            return response.down().build();
        }
    }
}
