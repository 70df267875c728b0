package dev.firmament.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.firmament.embedded.EmbeddedPostgres;

/**
 * A real, throw-away PostgreSQL server for every {@code @QuarkusTest}, run by the same code as the embedded default
 * (durability off: the data dies with the test run anyway). The data directory (artifacts, audit checkpoint records,
 * the audit key) is as new as the database: checkpoints left by an earlier run would rightly call this run's chains
 * rewritten.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres server;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            Path base = Files.createDirectories(Path.of("target", "test-postgres"));
            dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "run-");
            server = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(Files.createTempDirectory(base, "pg-"), 0,
                    "firmament", false, Duration.ofSeconds(60)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.datasource.jdbc.url", server.jdbcUrl(), "quarkus.datasource.username", server.username(),
                "quarkus.datasource.password", server.password(), "firmament.data-dir", dataDir.toString());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
