package dev.firmament.release.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

/** Chooses the artifact store from configuration: S3 when an endpoint is set, the filesystem otherwise. */
@ApplicationScoped
class ArtifactStoreProducer {

    private static final Logger LOG = Logger.getLogger(ArtifactStoreProducer.class);

    @Produces
    @ApplicationScoped
    ArtifactStore artifactStore(StorageConfig config) {
        try {
            ArtifactStore store = config.s3().endpoint().isPresent() ? new S3ArtifactStore(config.s3())
                    : new FilesystemArtifactStore(config.directory());
            LOG.infof("Artifact store: %s", store.describe());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not open the artifact store", e);
        }
    }

    void close(@Disposes ArtifactStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
