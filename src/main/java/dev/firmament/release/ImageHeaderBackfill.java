package dev.firmament.release;

import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.tenant.TenantContext;

/**
 * Reads the header of firmware stored before Firmament read headers at upload, so that those releases too are offered
 * only to devices that can take them (an ESP32 image uploaded before is otherwise offered to an ESP8266 as it was).
 * Runs once after every start, in the background: each image costs one ranged read of its first bytes. Replicas that
 * start together may read the same image; the first to record it wins, the others change nothing.
 */
@Singleton
class ImageHeaderBackfill {

    private static final Logger LOG = Logger.getLogger(ImageHeaderBackfill.class);

    private final ReleaseService releases;
    private final ArtifactStore store;
    private final TenantContext tenants;

    ImageHeaderBackfill(ReleaseService releases, ArtifactStore store, TenantContext tenants) {
        this.releases = releases;
        this.store = store;
        this.tenants = tenants;
    }

    void onStart(@Observes StartupEvent event) {
        Thread thread = new Thread(this::run, "image-header-backfill");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads and records every missing header; returns how many were recorded. */
    int run() {
        int recorded = 0;
        try {
            // The query reads every tenant's rows natively; the session it runs in still needs a tenant, so none.
            for (ReleaseService.Headerless release : tenants.callAs(TenantContext.NO_TENANT, releases::headerless)) {
                ImageHeader header;
                // The range must lie within the object: an image may be shorter than a header.
                int length = (int) Math.min(ImageHeader.LENGTH, release.size());
                try (InputStream head = store.open(release.tenantId(), release.sha256(), 0, length)) {
                    header = ImageHeader.read(head.readNBytes(length));
                } catch (InvalidImageException e) {
                    // Left as it was (offered without hardware checks); said at every start until someone replaces it.
                    LOG.warnf("Release %d of tenant %s holds firmware no known chip runs, so devices are not checked"
                            + " against it: %s", release.id(), release.tenantId(), e.getMessage());
                    continue;
                }
                if (tenants.callAs(release.tenantId(), () -> releases.recordHeader(release.id(), header))) {
                    recorded++;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Reading the headers of firmware stored before headers were read stopped (%d recorded); the next"
                    + " start tries again: %s", recorded, e.toString());
        }
        if (recorded > 0) {
            LOG.infof("Read the headers of %d firmware images stored before Firmament read headers at upload",
                    recorded);
        }
        return recorded;
    }
}
