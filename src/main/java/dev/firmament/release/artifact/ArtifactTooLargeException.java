package dev.firmament.release.artifact;

import java.io.IOException;

/** The content was longer than the caller allowed; nothing was stored. */
public class ArtifactTooLargeException extends IOException {

    private final long limit;

    public ArtifactTooLargeException(long limit) {
        super("The content exceeds the limit of " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
