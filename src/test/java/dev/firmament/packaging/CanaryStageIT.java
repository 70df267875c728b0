package dev.firmament.packaging;

import static dev.firmament.testing.PackagedAppApi.wave;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.firmament.testing.Fleet;
import dev.firmament.testing.PackagedApp;
import dev.firmament.testing.PackagedAppApi;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;

/**
 * The canary stage holds on the packaged app, as first found broken: 60 devices check in, 6 of them become canaries,
 * and the rollout is created and started within the same second, while the check-ins still wait in the activity queue.
 * Only the canaries are offered the image, and the rest of the fleet waits until they have installed it.
 */
class CanaryStageIT {

    static final String TOKEN = "canary-stage-it-bootstrap-token";

    @Test
    void aRolloutStartedTheMomentTheFleetCheckedInOffersOnlyTheCanaries() throws Exception {
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")),
                "canary-");
        int port = PackagedApp.freePort();
        PackagedAppApi app = new PackagedAppApi(port, TOKEN);
        // The default flush interval (1 s) keeps the check-ins queued when the rollout starts.
        Process process = PackagedApp.start(workDir, port,
                Map.of("FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN, "FIRMAMENT_ROLLOUTS_EVALUATE_INTERVAL", "500ms"),
                workDir.resolve("app.log"));
        SimulatedFleet devices = null;
        try {
            PackagedApp.awaitReady(process, port, Duration.ofSeconds(60), workDir.resolve("app.log"));
            app.api().body(Map.of("slug", "acme", "name", "Acme", "owner", "owner@acme.example"))
                    .post("/api/v1/tenants").then().statusCode(201);
            app.api().body(Map.of("name", "SONOFF_BASIC")).post(path("/products")).then().statusCode(201);
            String key = app.api().body(Map.of("name", "field", "product", "SONOFF_BASIC")).post(path("/device-keys"))
                    .then().statusCode(201).extract().jsonPath().getString("key");
            byte[] image1 = Fleet.espImage(6_000, 1);
            byte[] image2 = Fleet.espImage(7_000, 2);
            app.upload(path("/releases"), "1.0.0", image1);
            long v2 = app.upload(path("/releases"), "2.0.0", image2);
            devices = new SimulatedFleet("http://127.0.0.1:" + port + "/d/" + key + "/update",
                    Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"));
            List<SimulatedFleet.Device> all = devices.add("5C:CF:7F", 60, "1.0.0", Fleet.md5(image1),
                    Behaviour.INSTALLS);
            List<SimulatedFleet.Device> canaries = all.subList(0, 6);
            List<SimulatedFleet.Device> rest = all.subList(6, 60);

            assertThat(devices.checkInAll()).isEmpty();
            long group = app.api().body(Map.of("name", "canaries")).post(path("/groups")).then().statusCode(201)
                    .extract().jsonPath().getLong("id");
            app.api().contentType("text/plain")
                    .body(canaries.stream().map(d -> d.mac).collect(Collectors.joining("\n")))
                    .post(path("/groups/" + group + "/members")).then().statusCode(200);
            long rollout = app.api()
                    .body(Map.of("name", "2.0.0 behind canaries", "releaseId", v2, "waves",
                            List.of(wave(Map.of("groups", List.of(group), "successThreshold", 80)),
                                    wave(Map.of("percent", 100)))))
                    .post(path("/rollouts")).then().statusCode(201).extract().jsonPath().getLong("id");
            JsonPath started = app.api().post(path("/rollouts/" + rollout + "/start")).then().statusCode(200).extract()
                    .jsonPath();
            assertThat(started.getInt("waves[0].counts.pending")).as("the canaries, counted at the start").isEqualTo(6);
            assertThat(started.getInt("total.devices")).as("the queued check-ins were written first").isEqualTo(60);

            assertThat(devices.checkInAll()).as("only the canaries are offered the image")
                    .containsExactlyInAnyOrderElementsOf(canaries.stream().map(d -> d.mac).toList());
            app.awaitJson(path("/rollouts/" + rollout), json -> json.getInt("waves[0].counts.downloaded") == 6);
            assertThat(devices.checkIn(rest)).as("downloaded is not installed: the fleet still waits").isEmpty();
            assertThat(app.api().get(path("/rollouts/" + rollout)).jsonPath().getInt("openWaves")).isEqualTo(1);

            devices.checkIn(canaries); // back on 2.0.0
            app.awaitJson(path("/rollouts/" + rollout), json -> json.getInt("openWaves") == 2);
            assertThat(devices.checkIn(rest)).hasSize(54);
        } finally {
            if (devices != null) {
                devices.close();
            }
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static String path(String suffix) {
        return "/api/v1/tenants/acme" + suffix;
    }
}
