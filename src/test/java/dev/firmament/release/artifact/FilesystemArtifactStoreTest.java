package dev.firmament.release.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The storage contract against the filesystem store, the embedded default. */
@QuarkusTest
class FilesystemArtifactStoreTest extends ArtifactStoreContract {

    @Test
    void isTheDefaultStore() {
        assertThat(store.describe()).startsWith("filesystem ");
    }
}
