package dev.firmament.release.artifact;

import java.io.IOException;

/** The tenant has no object with that digest. */
public class ArtifactNotFoundException extends IOException {

    public ArtifactNotFoundException(String sha256) {
        super("No stored artifact " + sha256);
    }
}
