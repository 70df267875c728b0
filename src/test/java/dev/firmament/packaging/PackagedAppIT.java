package dev.firmament.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.firmament.embedded.EmbeddedPostgres;
import dev.firmament.testing.PackagedApp;

/**
 * The README's promise, checked on the real artifact: the packaged app started with no configuration at all runs on its
 * embedded PostgreSQL, is ready within a minute, and keeps its data across a SIGKILL and a restart.
 */
class PackagedAppIT {

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void startsWithNoConfigurationAndKeepsDataAcrossAKillAndARestart() throws Exception {
        assertThat(PackagedApp.JAR).exists();
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")), "run-");
        int port = PackagedApp.freePort();

        Process first = PackagedApp.start(workDir, port, Map.of(), workDir.resolve("first.log"));
        try {
            PackagedApp.awaitReady(first, port, Duration.ofSeconds(60), workDir.resolve("first.log"));
            try (Connection db = connectToEmbeddedDatabase(workDir)) {
                db.createStatement().execute("insert into tenants (id, slug, name) values"
                        + " ('0f0e0d0c-0b0a-4908-8706-050403020100', 'survivor', 'Survives a SIGKILL')");
            }
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: PostgreSQL is orphaned
        }

        Path secondLog = workDir.resolve("second.log");
        // A flush interval longer than the test: only the drain at shutdown can write the check-in below.
        Process second = PackagedApp.start(workDir, port, Map.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true",
                "FIRMAMENT_DEMO_DATA_ENABLED", "true", "FIRMAMENT_DEVICES_FLUSH_INTERVAL", "60s"), secondLog);
        try {
            PackagedApp.awaitReady(second, port, Duration.ofSeconds(60), secondLog);
            String key = demoDeviceKey(secondLog);
            HttpRequest checkIn = HttpRequest
                    .newBuilder(URI.create("http://127.0.0.1:" + port + "/d/" + key + "/update"))
                    .header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", "5C:CF:7F:00:00:99")
                    .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "0.9.0").build();
            assertThat(http.send(checkIn, HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(200);
            try (Connection db = connectToEmbeddedDatabase(workDir); var result = db.createStatement()
                    .executeQuery("select name from tenants where slug = 'survivor'")) {
                assertThat(result.next()).isTrue();
                assertThat(result.getString(1)).isEqualTo("Survives a SIGKILL");
            }
            List<String> logLines = Files.readAllLines(secondLog).stream().filter(l -> l.startsWith("{")).toList();
            assertThat(logLines).isNotEmpty();
            JsonNode line = new ObjectMapper().readTree(logLines.get(0));
            assertThat(line.has("message")).isTrue();
            assertThat(line.has("level")).isTrue();
        } finally {
            second.destroy(); // SIGTERM: a graceful stop drains queued check-ins, then stops PostgreSQL
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(workDir.resolve("firmament-data/postgres/data/postmaster.pid")).doesNotExist();

        try (EmbeddedPostgres database = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(
                workDir.resolve("firmament-data").resolve("postgres"), 0, "firmament", true, Duration.ofSeconds(60)));
                Connection db = DriverManager.getConnection(database.jdbcUrl(), database.username(),
                        database.password());
                var result = db.createStatement()
                        .executeQuery("select version from devices where mac = '5C:CF:7F:00:00:99'")) {
            assertThat(result.next()).as("the check-in was written at shutdown").isTrue();
            assertThat(result.getString(1)).isEqualTo("0.9.0");
        }
    }

    private static String demoDeviceKey(Path log) throws IOException {
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("shown once): ");
            if (at >= 0) {
                return line.substring(at + 13, at + 13 + 22);
            }
        }
        throw new AssertionError("No demo device key in " + log);
    }

    private static Connection connectToEmbeddedDatabase(Path workDir) throws Exception {
        Path postgres = workDir.resolve("firmament-data").resolve("postgres");
        String port = Files.readAllLines(postgres.resolve("data").resolve("postmaster.pid")).get(3).trim();
        String password = Files.readString(postgres.resolve("superuser.password")).trim();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/firmament", "postgres", password);
    }
}
