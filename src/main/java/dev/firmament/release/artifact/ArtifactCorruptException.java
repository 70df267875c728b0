package dev.firmament.release.artifact;

import java.io.IOException;

/**
 * A stored object whose bytes no longer hash to its key: changed on disk or in the bucket after it was stored. It is
 * never sent to a device.
 */
public class ArtifactCorruptException extends IOException {

    public ArtifactCorruptException(String sha256, String actual) {
        super("Object " + sha256 + " does not match its SHA-256 (its bytes hash to " + actual
                + "): it was changed after it was stored");
    }
}
