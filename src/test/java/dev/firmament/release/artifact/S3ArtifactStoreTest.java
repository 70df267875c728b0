package dev.firmament.release.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.firmament.testing.S3StorageProfile;

/** The storage contract against the S3 store, over HTTP to a real S3-compatible server (S3Proxy). */
@QuarkusTest
@TestProfile(S3StorageProfile.class)
class S3ArtifactStoreTest extends ArtifactStoreContract {

    @Test
    void isSelectedByTheS3Endpoint() {
        assertThat(store.describe()).startsWith("s3 http://127.0.0.1:").contains("firmament-test");
    }
}
