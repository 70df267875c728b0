package dev.firmament.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the artifact store at a real S3 server for the tests that ask for it. */
public class S3ProxyTestResource implements QuarkusTestResourceLifecycleManager {

    private S3ProxyServer server;

    @Override
    public Map<String, String> start() {
        server = S3ProxyServer.start();
        return Map.of("firmament.storage.s3.endpoint", server.endpoint(), "firmament.storage.s3.access-key",
                S3ProxyServer.ACCESS_KEY, "firmament.storage.s3.secret-key", server.secretKey(),
                "firmament.storage.s3.bucket", "firmament-test", "firmament.storage.s3.create-bucket", "true");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
