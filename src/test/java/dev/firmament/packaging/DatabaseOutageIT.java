package dev.firmament.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.firmament.embedded.EmbeddedPostgres;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.PackagedApp;
import dev.firmament.testing.PackagedAppApi;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;

/**
 * Nothing a device reports is lost while the database is away: the packaged app runs against a PostgreSQL server that
 * is stopped for real in the middle of device traffic. Devices keep being answered from memory; what they report goes
 * to the local journal, and once the server is back the journal is written, in order, so that every check-in answered
 * during the outage is in the device registry, the events and the hourly totals.
 */
class DatabaseOutageIT {

    static final String TOKEN = "database-outage-it-bootstrap-token";

    EmbeddedPostgres database;
    Process app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void everyCheckInAnsweredDuringAnOutageIsRecordedOnceTheDatabaseIsBack() throws Exception {
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")),
                "outage-");
        EmbeddedPostgres.Settings settings = new EmbeddedPostgres.Settings(workDir.resolve("postgres"), 0, "firmament",
                false, Duration.ofSeconds(60));
        database = EmbeddedPostgres.start(settings);
        int databasePort = database.port();
        int port = PackagedApp.freePort();
        PackagedAppApi api = new PackagedAppApi(port, TOKEN);
        Map<String, String> environment = Map.of("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", database.username(), "QUARKUS_DATASOURCE_PASSWORD", database.password(),
                "FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN, "FIRMAMENT_DEVICES_FLUSH_INTERVAL", "200ms");
        app = PackagedApp.start(Files.createDirectories(workDir.resolve("app")), port, environment,
                workDir.resolve("app.log"));
        PackagedApp.awaitReady(app, port, Duration.ofSeconds(90), workDir.resolve("app.log"));

        api.api().body(Map.of("slug", "acme", "name", "Acme", "owner", "owner@acme.example")).post("/api/v1/tenants")
                .then().statusCode(201);
        api.api().body(Map.of("name", "SONOFF_BASIC")).post(path("/products")).then().statusCode(201);
        String key = api.api().body(Map.of("name", "field", "product", "SONOFF_BASIC")).post(path("/device-keys"))
                .then().statusCode(201).extract().jsonPath().getString("key");
        byte[] old = Fleet.espImage(6_000, 1);
        byte[] next = Fleet.espImage(7_000, 2);
        api.upload(path("/releases"), "1.0.0", old);
        long v2 = api.upload(path("/releases"), "2.0.0", next);
        // The devices still on 0.9 are offered 2.0.0: offers, downloads and installs happen during the outage.
        api.api().body(Map.of("product", "SONOFF_BASIC", "versionMax", "0.9.9", "releaseId", v2)).post(path("/rules"))
                .then().statusCode(201);

        try (SimulatedFleet devices = new SimulatedFleet("http://127.0.0.1:" + port + "/d/" + key + "/update",
                Map.of(Fleet.md5(old), "1.0.0", Fleet.md5(next), "2.0.0"))) {
            devices.add("5C:CF:7F", 200, "1.0.0", Fleet.md5(old), Behaviour.INSTALLS);
            List<SimulatedFleet.Device> behind = devices.add("18:FE:34", 50, "0.9.0", Fleet.md5(old),
                    Behaviour.INSTALLS);
            assertThat(devices.checkIn(devices.devices().subList(0, 200))).isEmpty();
            api.awaitJson(path("/devices?limit=1"), json -> json.getInt("total") == 200);

            database.close(); // a real outage: the server stops, connections are refused
            database = null;
            assertThat(devices.checkInAll()).as("devices are answered from memory").hasSize(50);
            assertThat(devices.checkInAll()).as("the 50 come back on 2.0.0").isEmpty();
            devices.checkInAll();
            long answered = devices.checkIns.get();
            assertThat(answered).isEqualTo(200 + 3 * 250);
            awaitActivityHealth(port, "DOWN"); // waiting in the journal
            var refused = api.api().get(path("/devices?limit=1"));
            assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("5");
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.jsonPath().getString("code")).isEqualTo("database-unavailable");
            var ready = io.restassured.RestAssured.given().get("http://127.0.0.1:" + port + "/q/health/ready");
            assertThat(ready.statusCode()).as("ready: devices are served from memory").isEqualTo(200);
            var dependencies = io.restassured.RestAssured.given()
                    .get("http://127.0.0.1:" + port + "/q/health/group/dependencies");
            assertThat(dependencies.statusCode()).isEqualTo(503);
            assertThat(dependencies.jsonPath().getString("checks.find { it.name == 'database' }.status"))
                    .isEqualTo("DOWN");

            // SIGTERM while the database is still away: the app ends within its bound and keeps what it could not
            // write in the journal, for the next start.
            devices.checkInAll();
            answered = devices.checkIns.get();
            app.destroy();
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("a bounded shutdown").isTrue();

            database = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(settings.baseDirectory(), databasePort,
                    "firmament", false, Duration.ofSeconds(60)));
            app = PackagedApp.start(workDir.resolve("app"), port, environment, workDir.resolve("app-2.log"));
            PackagedApp.awaitReady(app, port, Duration.ofSeconds(90), workDir.resolve("app-2.log"));
            awaitActivityHealth(port, "UP"); // the journal is written

            try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.username(),
                    database.password())) {
                assertThat(single(c, "select coalesce(sum(checkins), 0) from device_activity_hourly"))
                        .as("every check-in answered is counted once").isEqualTo(answered);
                assertThat(single(c, "select count(*) from devices")).isEqualTo(250);
                assertThat(single(c, "select count(*) from devices where version = '2.0.0'")).isEqualTo(50);
                for (String type : List.of("offered", "downloaded", "installed")) {
                    assertThat(single(c, "select count(*) from device_events where type = '" + type + "'")).as(type)
                            .isEqualTo(behind.size());
                }
            }
            try (var journal = Files.list(workDir.resolve("app/firmament-data/device-activity-journal"))) {
                assertThat(journal.toList()).as("the journal is gone once written").isEmpty();
            }
        }
    }

    private static void awaitActivityHealth(int port, String status) throws Exception {
        Eventually.await(
                "device activity health " + status, Duration.ofSeconds(60), () -> io.restassured.RestAssured.given()
                        .get("http://127.0.0.1:" + port + "/q/health/group/activity").jsonPath().getString("status"),
                status::equals);
    }

    private static long single(Connection c, String sql) throws Exception {
        try (var statement = c.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String path(String suffix) {
        return "/api/v1/tenants/acme" + suffix;
    }
}
