package dev.firmament.testing;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Runs a test with the S3 artifact store against S3Proxy instead of the filesystem store. */
public class S3StorageProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyTestResource.class));
    }
}
