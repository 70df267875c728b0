package dev.firmament.release.artifact;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
 * <p>
 * A store that hangs would hold the check for its whole read timeout (30 s by default), longer than any probe or
 * dashboard waits: the check waits at most {@link #ANSWER_WITHIN} and then reports the store down, while the call it
 * started goes on in the background; the next checks wait for that same call instead of piling up new ones.
 */
@HealthGroup("dependencies")
@ApplicationScoped
class ArtifactStoreHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ArtifactStoreHealthCheck.class);

    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);

    private final ArtifactStore store;
    /** Whether the last check failed: probes run every few seconds, the log says only when that changes. */
    private final AtomicBoolean down = new AtomicBoolean();
    /** The store call under way, if one has not answered yet. */
    private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();

    ArtifactStoreHealthCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("artifact-store").withData("store", store.kind());
        try {
            pending().get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            if (down.getAndSet(false)) {
                LOG.infof("Artifact store %s is available again", store.describe());
            }
            return response.up().build();
        } catch (TimeoutException e) {
            if (!down.getAndSet(true)) {
                LOG.warnf("Artifact store %s does not answer within %s", store.describe(), ANSWER_WITHIN);
            }
            return response.down().withData("answer", "none within " + ANSWER_WITHIN.toSeconds() + " s").build();
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (!down.getAndSet(true)) {
                LOG.warnf("Artifact store %s is not available: %s", store.describe(), cause.getMessage());
            }
            return response.down().build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().build();
        }
    }

    /** The call under way, or a new one: at most one store call at a time, however often the probes come. */
    private CompletableFuture<Void> pending() {
        CompletableFuture<Void> running = inFlight.get();
        if (running != null && !running.isDone()) {
            return running;
        }
        CompletableFuture<Void> started = new CompletableFuture<>();
        if (!inFlight.compareAndSet(running, started)) {
            return inFlight.get(); // another probe started one just now
        }
        Thread check = new Thread(() -> {
            try {
                store.checkAvailable();
                started.complete(null);
            } catch (Exception | Error e) {
                started.completeExceptionally(e);
            }
        }, "artifact-store-check");
        check.setDaemon(true);
        check.start();
        return started;
    }
}
