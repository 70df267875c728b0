package dev.firmament.packaging;

import static dev.firmament.testing.PackagedAppApi.wave;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.firmament.embedded.EmbeddedPostgres;
import dev.firmament.testing.ConsoleLogin;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.PackagedApp;
import dev.firmament.testing.PackagedAppApi;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;

/**
 * Two replicas of the packaged app on one PostgreSQL behave as one: a change made through either reaches the other's
 * decision snapshot within about a second (LISTEN/NOTIFY), each rollout step is taken once although both engines run,
 * and check-ins spread over both replicas are recorded exactly once each.
 */
class TwoReplicasIT {

    static final String TOKEN = "two-replicas-it-bootstrap-token";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    EmbeddedPostgres database;
    Process replicaA;
    Process replicaB;
    int portA;
    int portB;

    @AfterEach
    void stop() throws Exception {
        for (Process replica : new Process[] { replicaA, replicaB }) {
            if (replica != null) {
                replica.destroy();
                replica.waitFor(30, TimeUnit.SECONDS);
            }
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void twoReplicasAgreeOnChangesRolloutsAndDeviceActivity() throws Exception {
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")),
                "replicas-");
        database = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(workDir.resolve("postgres"), 0, "firmament",
                false, Duration.ofSeconds(60)));
        // One database; one artifact directory standing in for the shared bucket; everything else per replica.
        Map<String, String> env = new HashMap<>(Map.of("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", database.username(), "QUARKUS_DATASOURCE_PASSWORD", database.password(),
                "FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN, "FIRMAMENT_STORAGE_DIRECTORY",
                workDir.resolve("artifacts").toAbsolutePath().toString(), "FIRMAMENT_DEVICES_FLUSH_INTERVAL", "200ms",
                "FIRMAMENT_ROLLOUTS_EVALUATE_INTERVAL", "500ms"));
        portA = PackagedApp.freePort();
        portB = PackagedApp.freePort();
        PackagedAppApi a = new PackagedAppApi(portA, TOKEN);
        PackagedAppApi b = new PackagedAppApi(portB, TOKEN);
        replicaA = PackagedApp.start(Files.createDirectories(workDir.resolve("a")), portA, env,
                workDir.resolve("a.log"));
        PackagedApp.awaitReady(replicaA, portA, Duration.ofSeconds(90), workDir.resolve("a.log"));
        replicaB = PackagedApp.start(Files.createDirectories(workDir.resolve("b")), portB, env,
                workDir.resolve("b.log"));
        PackagedApp.awaitReady(replicaB, portB, Duration.ofSeconds(90), workDir.resolve("b.log"));

        a.api().body(Map.of("slug", "acme", "name", "Acme", "owner", "owner@acme.example")).post("/api/v1/tenants")
                .then().statusCode(201);
        b.api().body(Map.of("name", "SONOFF_BASIC")).post(path("/products")).then().statusCode(201);
        String key = a.api().body(Map.of("name", "field", "product", "SONOFF_BASIC")).post(path("/device-keys")).then()
                .statusCode(201).extract().jsonPath().getString("key");
        byte[] image1 = Fleet.espImage(6_000, 1);
        byte[] image2 = Fleet.espImage(7_000, 2);
        a.upload(path("/releases"), "1.0.0", image1);
        long v2 = b.upload(path("/releases"), "2.0.0", image2);

        // 1. A rule made through A is applied by B, and its removal through B by A, each within about a second.
        String probe = "18:FE:34:00:00:01";
        assertThat(checkIn(portB, key, probe)).isEqualTo(304);
        long rule = a.api().body(Map.of("product", "SONOFF_BASIC", "mac", probe, "releaseId", v2)).post(path("/rules"))
                .then().statusCode(201).extract().jsonPath().getLong("id");
        Duration toB = timeUntil(() -> checkIn(portB, key, probe) == 200);
        b.api().delete(path("/rules/" + rule)).then().statusCode(204);
        Duration toA = timeUntil(() -> checkIn(portA, key, probe) == 304);
        System.out.printf("Change propagation between replicas: A to B %d ms, B to A %d ms%n", toB.toMillis(),
                toA.toMillis());

        // 2. 600 devices take turns between the replicas through a two-wave rollout.
        SimulatedFleet devices = new SimulatedFleet(List.of(deviceUrl(portA, key), deviceUrl(portB, key)),
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"));
        devices.add("5C:CF:7F", 600, "1.0.0", Fleet.md5(image1), Behaviour.INSTALLS);
        devices.checkInAll();
        devices.checkInAll(); // every device has now been seen by both replicas
        b.awaitJson(path("/devices?limit=1"), json -> json.getInt("total") == 601);

        long canaries = a.api().body(Map.of("name", "canaries")).post(path("/groups")).then().statusCode(201).extract()
                .jsonPath().getLong("id");
        b.api().contentType("text/plain")
                .body(devices.devices().subList(0, 30).stream().map(d -> d.mac).collect(Collectors.joining("\n")))
                .post(path("/groups/" + canaries + "/members")).then().statusCode(200);
        long rollout = a.api()
                .body(Map.of("name", "2.0.0", "releaseId", v2, "eligibility",
                        Map.of("versionConditions", List.of(Map.of("op", "<", "value", "2.0.0"))), "waves",
                        List.of(wave(Map.of("groups", List.of(canaries))), wave(Map.of("percent", 100)))))
                .post(path("/rollouts")).then().statusCode(201).extract().jsonPath().getLong("id");
        b.api().post(path("/rollouts/" + rollout + "/start")).then().statusCode(200);
        for (int round = 0; round < 8; round++) {
            devices.checkInAll();
            Thread.sleep(600); // let both engines tick between rounds
        }
        JsonPath done = a.awaitJson(path("/rollouts/" + rollout),
                json -> json.getString("state").equals("completed") && json.getInt("total.installed") == 600);
        assertThat(done.getInt("total.failed") + done.getInt("total.quarantined")).isZero();
        assertThat(devices.devices()).allSatisfy(d -> assertThat(d.imagesReceived).as(d.mac).isEqualTo(1));

        // Both engines ran all along; each step of the rollout was taken once.
        for (String action : List.of("rollout.wave-open", "rollout.complete")) {
            List<?> steps = b.api().get(path("/audit?action=" + action + "&target=" + rollout)).then().statusCode(200)
                    .extract().jsonPath().getList("items");
            assertThat(steps).as(action).hasSize(1);
        }

        // Overlapping load: two rounds at once, taking turns between the replicas, so that both write the same
        // devices in the same moments — the case that deadlocked before batches locked rows in MAC order.
        for (int burst = 0; burst < 5; burst++) {
            var second = java.util.concurrent.CompletableFuture.runAsync(devices::checkInAll);
            devices.checkInAll();
            second.join();
        }

        // 3. Every check-in, whichever replica took it, was recorded once: one device row each, one download event
        // each, and the hourly totals add up to what the devices sent.
        try (Connection sql = DriverManager.getConnection(database.jdbcUrl(), database.username(),
                database.password())) {
            long sent = devices.checkIns.get() + probeCheckIns;
            Eventually.await("the writers' last batches", Duration.ofSeconds(30),
                    () -> single(sql, "select coalesce(sum(checkins), 0) from device_activity_hourly"),
                    written -> written >= sent);
            assertThat(single(sql, "select count(*) from devices")).isEqualTo(601);
            assertThat(single(sql, "select count(distinct mac) from devices")).isEqualTo(601);
            // (the probe was sent the image each time a replica still had the rule when it asked)
            assertThat(single(sql, "select count(*) from device_events where type = 'downloaded'"))
                    .isEqualTo(600 + probeDownloads);
            assertThat(single(sql, "select count(distinct mac) from device_events where type = 'installed'"))
                    .isEqualTo(600);
            assertThat(single(sql, "select coalesce(sum(checkins), 0) from device_activity_hourly"))
                    .isEqualTo(devices.checkIns.get() + probeCheckIns);
            assertThat(single(sql, "select coalesce(sum(downloads), 0) from device_activity_hourly"))
                    .isEqualTo(600 + probeDownloads);
            assertThat(single(sql, "select deadlocks from pg_stat_database where datname = current_database()"))
                    .as("deadlocks PostgreSQL detected, retried or not").isZero();
        }
        devices.close();
        for (String log : List.of("a.log", "b.log")) {
            assertThat(Files.readString(workDir.resolve(log))).as(log).doesNotContain("deadlock detected")
                    .doesNotContain("Could not record");
        }

        // 4. People and their sign-in limits are the same on both: an invitation made on A is accepted on B, and
        // wrong passwords sent to A hold back the right one on B.
        String invitation = a.api().body(Map.of("email", "jane@acme.example", "role", "viewer")).post(path("/members"))
                .then().statusCode(201).extract().path("invitationUrl");
        String onB = invitation.replaceFirst("^http://[^/]+", "http://127.0.0.1:" + portB);
        ConsoleLogin.request(null).formParam("password", "jane's own password").post(onB).then().statusCode(303);
        for (int i = 0; i < 5; i++) {
            given().baseUri("http://127.0.0.1:" + portA).auth().preemptive().basic("jane@acme.example", "guess " + i)
                    .get(path("/members")).then().statusCode(401);
        }
        given().baseUri("http://127.0.0.1:" + portB).auth().preemptive()
                .basic("jane@acme.example", "jane's own password").get(path("/members")).then().statusCode(429)
                .header("Retry-After", "30");
    }

    int probeCheckIns;
    int probeDownloads;

    int checkIn(int port, String key, String mac) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(deviceUrl(port, key)))
                .header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", mac)
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0").GET().build();
        int status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        probeCheckIns++;
        probeDownloads += status == 200 ? 1 : 0;
        return status;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** How long until the check holds (polling every 20 ms, for at most 10 s). */
    static Duration timeUntil(Check check) throws Exception {
        Instant start = Instant.now();
        while (!check.holds()) {
            assertThat(Duration.between(start, Instant.now())).as("still not applied")
                    .isLessThan(Duration.ofSeconds(10));
            Thread.sleep(20);
        }
        return Duration.between(start, Instant.now());
    }

    static long single(Connection sql, String query) throws Exception {
        try (ResultSet result = sql.createStatement().executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }

    static String deviceUrl(int port, String key) {
        return "http://127.0.0.1:" + port + "/d/" + key + "/update";
    }

    static String path(String suffix) {
        return "/api/v1/tenants/acme" + suffix;
    }
}
