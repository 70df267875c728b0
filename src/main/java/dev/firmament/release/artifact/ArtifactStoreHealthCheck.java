package dev.firmament.release.artifact;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

import io.smallrye.health.api.HealthGroup;

/**
 * Whether the artifact store answers ({@code /q/health/group/dependencies}). Not part of readiness: images already in
 * the local cache are still served, and a device asking for another gets 503 and tries again. Health endpoints are
 * anonymous, so they say only the kind of store and whether it answers; where it is and why it failed go to the log and
 * to platform administrators ({@code GET /api/v1/platform/health}).
 */
@HealthGroup("dependencies")
@ApplicationScoped
class ArtifactStoreHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ArtifactStoreHealthCheck.class);

    private final ArtifactStore store;
    /** Whether the last check failed: probes run every few seconds, the log says only when that changes. */
    private final AtomicBoolean down = new AtomicBoolean();

    ArtifactStoreHealthCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("artifact-store").withData("store", store.kind());
        try {
            store.checkAvailable();
            if (down.getAndSet(false)) {
                LOG.infof("Artifact store %s is available again", store.describe());
            }
            return response.up().build();
        } catch (Exception e) {
            if (!down.getAndSet(true)) {
                LOG.warnf("Artifact store %s is not available: %s", store.describe(), e.getMessage());
            }
            return response.down().build();
        }
    }
}
