package dev.firmament.release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Removes the multipart files of uploads that a crash interrupted (the HTTP layer deletes them when a request ends,
 * which a killed process never reaches): each is up to an image's size, and they would pile up with every crash.
 */
@Singleton
class UploadLeftovers {

    private static final Logger LOG = Logger.getLogger(UploadLeftovers.class);

    void removeAtStart(@Observes StartupEvent event,
            @ConfigProperty(name = "quarkus.http.body.uploads-directory") String directory) {
        int removed = remove(Path.of(directory));
        if (removed > 0) {
            LOG.infof("Removed %d files of interrupted uploads from %s", removed, directory);
        }
    }

    /** Deletes the files directly in {@code directory}; returns how many. Nothing is uploading before the start. */
    static int remove(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.deleteIfExists(file);
                removed++;
            }
        } catch (IOException e) {
            LOG.warnf(e, "Could not remove the files of interrupted uploads in %s", directory);
        }
        return removed;
    }
}
