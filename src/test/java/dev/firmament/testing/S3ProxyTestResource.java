package dev.firmament.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the artifact store at a real S3 server for the tests that ask for it. */
public class S3ProxyTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile S3ProxyServer server;

    /** The server of the running test profile, for tests that freeze it. */
    public static S3ProxyServer running() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        server = S3ProxyServer.start();
        return Map.of("firmament.storage.s3.connect-timeout", "1s", "firmament.storage.s3.read-timeout", "2s",
                "firmament.storage.s3.endpoint", server.endpoint(), "firmament.storage.s3.access-key",
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
