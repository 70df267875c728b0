package dev.firmament.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.net.URL;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import dev.firmament.release.Release;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.MovableClock;
import dev.firmament.testing.Problems;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;
import dev.firmament.testing.SimulatedFleet.Device;

/**
 * Rollouts driven end to end: 1,000 simulated ESP8266 devices check in over HTTP at the real device endpoint, the API
 * starts and controls the rollout, and the engine advances, pauses and completes it from what the devices report. The
 * test runs the engine between rounds of check-ins (its scheduled tick is off in tests, so rounds are deterministic);
 * RolloutRestartIT relies on the tick alone.
 */
@QuarkusTest
class RolloutFleetTest {

    static final int FLEET = 1000;

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    RolloutEngine engine;

    @Inject
    MovableClock clock;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @TestHTTPResource("/")
    URL base;

    SimulatedFleet devices;
    Fleet.Tenant tenant;
    String token;
    Release v1;
    Release v2;

    @AfterEach
    void close() {
        if (devices != null) {
            devices.close();
        }
    }

    void fleetOf(int healthy, Map<Behaviour, Integer> troubled) {
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("rollouts", Role.MAINTAINER, null, "test").secret());
        byte[] image1 = Fleet.espImage(6_000, 1);
        byte[] image2 = Fleet.espImage(7_000, 2);
        v1 = tenant.release("1.0.0", image1, null);
        v2 = tenant.release("2.0.0", image2, null);
        devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"));
        devices.add("5C:CF:7F", healthy, "1.0.0", Fleet.md5(image1), Behaviour.INSTALLS);
        int prefix = 0;
        for (var trouble : troubled.entrySet()) {
            devices.add("A0:20:A" + prefix++, trouble.getValue(), "1.0.0", Fleet.md5(image1), trouble.getKey());
        }
        assertThat(devices.checkInAll()).isEmpty(); // registers the fleet; nothing is offered without a rollout
        fleet.flushActivity();
    }

    @Test
    void threeWavesAdvanceByThemselvesAndAnUpdateLoopIsQuarantined() throws Exception {
        fleetOf(FLEET - 5, Map.of(Behaviour.LOOPS, 5));
        double quarantinedBefore = failures("quarantined");
        List<Device> canaries = devices.devices().subList(0, 50);
        long canaryGroup = tenant.group("canaries", canaries.stream().map(d -> d.mac).toArray(String[]::new)).id;
        long id = create(Map.of("name", "2.0.0 to everyone", "releaseId", v2.id, "waves",
                List.of(wave(Map.of("name", "canaries", "groups", List.of(canaryGroup))),
                        wave(Map.of("name", "a quarter", "percent", 25)),
                        wave(Map.of("name", "everyone", "percent", 100, "failureThreshold", 5)))));
        JsonPath started = post(id, "start");
        assertThat(started.getString("state")).isEqualTo("running");
        assertThat(started.getInt("total.devices")).as("every registered device is counted from the start")
                .isEqualTo(FLEET);
        assertThat(started.getInt("waves[0].counts.pending")).isEqualTo(50);

        // Wave 1: exactly the canaries get the image; then they come back with it.
        assertThat(devices.checkInAll()).isEqualTo(macs(canaries));
        settle();
        assertThat(devices.checkInAll()).isEmpty();
        settle();
        JsonPath afterCanaries = get(id);
        assertThat(afterCanaries.getInt("waves[0].counts.installed")).isEqualTo(50);
        assertThat(afterCanaries.getInt("openWaves")).as("the canaries installed: wave 2 opened by itself")
                .isEqualTo(2);

        // Wave 2: a quarter of the fleet (cumulative), chosen by hash and listed in advance.
        Set<String> wave2 = membersOf(id, 1);
        assertThat(devices.checkInAll()).isEqualTo(wave2);
        // A quarter of the 950 non-canaries, give or take the hash: 237.5 expected, 13 one standard deviation.
        assertThat(wave2.size()).as("a quarter of the fleet").isBetween(190, 285);
        settle();
        devices.checkInAll();
        settle();
        assertThat(get(id).getInt("openWaves")).isEqualTo(3);

        // Wave 3: everyone else; the looping devices fetch the image again and again until quarantined.
        Set<String> wave3 = membersOf(id, 2);
        assertThat(wave2).doesNotContainAnyElementsOf(wave3);
        for (int round = 0; round < 4; round++) {
            devices.checkInAll();
            settle();
        }
        List<Device> loopers = devices.devices().stream().filter(d -> d.behaviour == Behaviour.LOOPS).toList();
        Set<String> loopersInRollout = macs(loopers);
        assertThat(loopers).allSatisfy(d -> assertThat(d.imagesReceived).as(d.mac).isEqualTo(3));
        assertThat(devices.checkIn(loopers)).as("quarantined devices are offered nothing more").isEmpty();
        assertThat(membersOf(id, null, "quarantined")).isEqualTo(loopersInRollout);
        assertThat(failures("quarantined")).isEqualTo(quarantinedBefore + 5);

        JsonPath done = get(id);
        assertThat(done.getString("state")).isEqualTo("completed");
        assertThat(done.getInt("total.installed")).isEqualTo(FLEET - 5);
        assertThat(done.getInt("total.quarantined")).isEqualTo(5);
        assertThat(given().auth().oauth2(token).queryParam("mac", loopers.get(0).mac).queryParam("type", "quarantined")
                .get("/api/v1/tenants/{t}/events", slug()).jsonPath().getList("items")).hasSize(1);
        List<String> actions = given().auth().oauth2(token).queryParam("target", Long.toString(id))
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.action");
        assertThat(actions).containsSubsequence("rollout.complete", "rollout.wave-open", "rollout.wave-open",
                "rollout.start", "rollout.create");
    }

    @Test
    void failingCanariesPauseTheRolloutAndAbortStopsOffersAtOnce() throws Exception {
        fleetOf(FLEET - 15, Map.of(Behaviour.GOES_SILENT, 15));
        List<Device> bricking = devices.devices().subList(FLEET - 15, FLEET);
        List<Device> canaries = new java.util.ArrayList<>(devices.devices().subList(0, 35));
        canaries.addAll(bricking);
        long canaryGroup = tenant.group("canaries", canaries.stream().map(d -> d.mac).toArray(String[]::new)).id;
        long id = create(Map.of("name", "2.0.0 carefully", "releaseId", v2.id, "waves", List.of(
                wave(Map.of("groups", List.of(canaryGroup), "failureThreshold", 20)), wave(Map.of("percent", 100)))));
        post(id, "start");

        assertThat(devices.checkInAll()).isEqualTo(macs(canaries));
        settle();
        devices.checkInAll(); // 35 come back with 2.0.0, 15 are never heard of again
        settle();
        assertThat(get(id).getInt("waves[0].counts.installed")).isEqualTo(35);
        assertThat(get(id).getString("state")).as("silence is not failure until the install timeout")
                .isEqualTo("running");

        double failedBefore = failures("failed");
        clock.advance(java.time.Duration.ofMinutes(16)); // past firmament.devices.install-timeout (15 min)
        settle();
        // At least: a rollout another test left running may fail its own silent devices as the clock moves.
        assertThat(failures("failed")).isGreaterThanOrEqualTo(failedBefore + 15);
        assertThat(rollouts("paused")).isPositive();
        JsonPath paused = get(id);
        assertThat(paused.getString("state")).isEqualTo("paused");
        assertThat(paused.getString("pausedReason")).contains("15 of 50 devices failed");
        assertThat(paused.getInt("waves[0].counts.failed")).isEqualTo(15);
        assertThat(paused.getInt("openWaves")).as("the next wave never opened").isEqualTo(1);
        assertThat(membersOf(id, 0, "failed")).isEqualTo(macs(bricking));
        assertThat(devices.checkInAll()).as("a paused rollout offers nothing").isEmpty();

        // A person looks, resumes (acknowledging the 15) and opens the next wave by hand; then aborts.
        post(id, "resume");
        settle();
        assertThat(get(id).getString("state")).as("acknowledged failures do not pause again").isEqualTo("running");
        assertThat(post(id, "advance").getInt("openWaves")).isEqualTo(2);
        double abortedBefore = rollouts("aborted");
        post(id, "abort");
        assertThat(devices.checkInAll()).as("no offer after the abort, without waiting for anything").isEmpty();
        settle();
        assertThat(rollouts("aborted")).as("the gauge, as of the engine's last look").isEqualTo(abortedBefore + 1);
        List<String> actions = given().auth().oauth2(token).queryParam("target", Long.toString(id))
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.action");
        assertThat(actions).containsSubsequence("rollout.abort", "rollout.advance", "rollout.resume", "rollout.pause");
        List<String> actors = given().auth().oauth2(token).queryParam("action", "rollout.pause")
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.actorName");
        assertThat(actors).containsExactly("Rollout engine");
    }

    @Test
    void aWaveCapsConcurrentDownloadsAndLateDevicesJoinTheirWave() throws Exception {
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("rollouts", Role.MAINTAINER, null, "test").secret());
        byte[] big = Fleet.espImage(12 * 1024 * 1024, 3); // more than loopback socket buffers hold
        Release target = tenant.release("3.0.0", big, null);
        long id = create(Map.of("name", "capped", "releaseId", target.id, "waves",
                List.of(wave(Map.of("percent", 100, "maxConcurrentDownloads", 1)))));
        start(id, true); // nobody has checked in yet
        devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update", Map.of(Fleet.md5(big), "3.0.0"));
        devices.freeSpace = 16_000_000;
        List<Device> late = devices.add("5C:CF:7F", 2, "1.0.0", "0".repeat(32), Behaviour.INSTALLS);

        try (java.net.Socket slowReader = new java.net.Socket()) {
            slowReader.setReceiveBufferSize(4096);
            slowReader.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
            slowReader.getOutputStream()
                    .write(("GET /d/" + tenant.deviceKey + "/update HTTP/1.0\r\nHost: x\r\n"
                            + "User-Agent: ESP8266-http-Update\r\nx-ESP8266-STA-MAC: A0:20:A6:00:00:01\r\n"
                            + "x-ESP8266-mode: sketch\r\nx-ESP8266-version: 1.0.0\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] head = slowReader.getInputStream().readNBytes(12);
            assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.0 200");

            assertThat(devices.checkInAll()).as("the one download slot is taken").isEmpty();
        }
        // The server notices the closed connection and frees the slot.
        Set<String> served = Eventually.await("the download slot to be freed", java.time.Duration.ofSeconds(10),
                () -> devices.checkIn(late.subList(0, 1)), s -> !s.isEmpty());
        assertThat(served).containsExactly(late.get(0).mac);

        fleet.flushActivity();
        assertThat(membersOf(id, 0)).as("devices first seen after the start are counted in their wave")
                .containsAll(macs(late)).contains("A0:20:A6:00:00:01");
    }

    @Test
    void theCanaryStageHoldsWhenTheRolloutStartsTheMomentTheFleetCheckedIn() throws Exception {
        // As first found: 60 devices check in, 6 become canaries, and the rollout starts a second later, before the
        // check-ins were written.
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("rollouts", Role.MAINTAINER, null, "test").secret());
        byte[] image1 = Fleet.espImage(6_000, 1);
        byte[] image2 = Fleet.espImage(7_000, 2);
        tenant.release("1.0.0", image1, null);
        v2 = tenant.release("2.0.0", image2, null);
        devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"));
        devices.add("5C:CF:7F", 60, "1.0.0", Fleet.md5(image1), Behaviour.INSTALLS);
        assertThat(devices.checkInAll()).isEmpty();
        List<Device> canaries = devices.devices().subList(0, 6);
        long canaryGroup = tenant.group("canaries", canaries.stream().map(d -> d.mac).toArray(String[]::new)).id;
        long id = create(Map.of("name", "2.0.0 behind canaries", "releaseId", v2.id, "waves",
                List.of(wave(Map.of("name", "Canaries", "groups", List.of(canaryGroup), "successThreshold", 80)),
                        wave(Map.of("percent", 100)))));

        JsonPath started = post(id, "start");
        assertThat(started.getInt("waves[0].counts.pending")).isEqualTo(6);
        assertThat(started.getInt("total.devices")).isEqualTo(60);
        settle();
        assertThat(get(id).getInt("openWaves")).as("six devices that installed nothing open nothing").isEqualTo(1);
        assertThat(devices.checkInAll()).as("only the canaries are offered the image").isEqualTo(macs(canaries));
        settle();
        assertThat(get(id).getInt("openWaves")).as("downloaded is not installed").isEqualTo(1);
        assertThat(devices.checkInAll()).isEmpty(); // the canaries come back on 2.0.0
        settle();
        assertThat(get(id).getInt("openWaves")).isEqualTo(2);
        assertThat(devices.checkInAll()).hasSize(54);
    }

    @Test
    void aCanaryGroupWhoseDevicesNeverCheckedInHoldsTheFleetBackUntilTheyInstall() throws Exception {
        fleetOf(60, Map.of());
        String[] unseen = { "0C:8B:95:00:00:00", "0C:8B:95:00:00:01", "0C:8B:95:00:00:02" };
        long canaryGroup = tenant.group("not yet seen", unseen).id;
        long id = create(Map.of("name", "2.0.0 behind canaries", "releaseId", v2.id, "waves",
                List.of(wave(Map.of("name", "Canaries", "groups", List.of(canaryGroup), "successThreshold", 80)),
                        wave(Map.of("percent", 100)))));
        JsonPath started = post(id, "start");
        assertThat(started.getInt("waves[0].counts.pending")).as("group members count before they register")
                .isEqualTo(3);
        assertThat(membersOf(id, 0, "pending")).containsExactlyInAnyOrder(unseen);
        for (int hour = 0; hour < 3; hour++) {
            clock.advance(java.time.Duration.ofHours(1));
            settle();
            assertThat(devices.checkInAll()).as("no device beyond the canaries is offered").isEmpty();
        }
        JsonPath held = get(id);
        assertThat(held.getString("state")).isEqualTo("running");
        assertThat(held.getInt("openWaves")).isEqualTo(1);
        assertThat(held.getDouble("waves[0].installedPercent")).isZero();

        // The canaries are switched on at last: they register, are offered the image and install it.
        byte[] image1 = Fleet.espImage(6_000, 1);
        SimulatedFleet canaries = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(Fleet.espImage(7_000, 2)), "2.0.0"));
        try (canaries) {
            canaries.add("0C:8B:95", unseen.length, "1.0.0", Fleet.md5(image1), Behaviour.INSTALLS);
            assertThat(canaries.checkInAll()).hasSize(3);
            settle();
            assertThat(canaries.checkInAll()).isEmpty();
            settle();
        }
        assertThat(get(id).getInt("waves[0].counts.installed")).isEqualTo(3);
        assertThat(get(id).getInt("openWaves")).isEqualTo(2);
        assertThat(devices.checkInAll()).hasSize(60);
    }

    @Test
    void aFirstWaveOfNobodyIsRefusedUnlessForcedAndThenPausesTheRollout() throws Exception {
        fleetOf(20, Map.of());
        long emptyGroup = tenant.group("nobody yet").id;
        long id = create(Map.of("name", "2.0.0 behind nobody", "releaseId", v2.id, "waves", List
                .of(wave(Map.of("name", "Canaries", "groups", List.of(emptyGroup))), wave(Map.of("percent", 100)))));
        given().auth().oauth2(token).post("/api/v1/tenants/{t}/rollouts/{id}/start", slug(), id).then().statusCode(409)
                .contentType("application/problem+json").body("code", is("empty-first-wave"))
                .body("detail", containsString("Canaries reaches no device"));
        assertThat(get(id).getString("state")).as("still a draft").isEqualTo("draft");

        start(id, true);
        settle();
        JsonPath held = get(id);
        assertThat(held.getString("state")).isEqualTo("paused");
        assertThat(held.getString("pausedReason")).contains("Canaries reaches no device");
        assertThat(held.getDouble("waves[0].installedPercent")).as("0 of 0 is not 100 %").isZero();
        assertThat(devices.checkInAll()).isEmpty();

        post(id, "resume");
        settle();
        assertThat(get(id).getString("state")).as("still empty: paused again").isEqualTo("paused");
        assertThat(post(id, "advance").getInt("openWaves")).as("a person goes on without the canaries").isEqualTo(2);
        assertThat(devices.checkInAll()).hasSize(20);
    }

    @Test
    void aCanaryThatComesBackOnTheOldImageHasRevertedAndCountsAsAFailure() throws Exception {
        fleetOf(40, Map.of());
        List<Device> canaries = devices.devices().subList(0, 5);
        long canaryGroup = tenant.group("canaries", canaries.stream().map(d -> d.mac).toArray(String[]::new)).id;
        long id = create(Map.of("name", "2.0.0", "releaseId", v2.id, "waves",
                List.of(wave(Map.of("groups", List.of(canaryGroup), "soakMinutes", 60, "failureThreshold", 20)),
                        wave(Map.of("percent", 100)))));
        post(id, "start");
        assertThat(devices.checkInAll()).hasSize(5);
        devices.checkInAll();
        settle();
        assertThat(get(id).getInt("waves[0].counts.installed")).isEqualTo(5);

        Device rolledBack = canaries.get(0); // its bootloader went back to the old partition
        rolledBack.version = "1.0.0";
        rolledBack.md5 = Fleet.md5(Fleet.espImage(6_000, 1));
        devices.checkIn(List.of(rolledBack)); // the check-in that tells; the decider does not know yet
        settle();
        assertThat(devices.checkIn(List.of(rolledBack))).as("a reverted device is offered nothing more").isEmpty();
        JsonPath after = get(id);
        assertThat(after.getInt("waves[0].counts.reverted")).isEqualTo(1);
        assertThat(after.getInt("waves[0].counts.installed")).isEqualTo(4);
        assertThat(after.getString("state")).as("1 of 5 is at the 20 % failure threshold").isEqualTo("paused");
        assertThat(membersOf(id, 0, "reverted")).containsExactly(rolledBack.mac);
        assertThat(given().auth().oauth2(token).queryParam("mac", rolledBack.mac).queryParam("type", "reverted")
                .get("/api/v1/tenants/{t}/events", slug()).jsonPath().getList("items")).hasSize(1);
    }

    @Test
    void aDeviceStillOnTheOldImageAfterTheInstallTimeoutHasFailedEvenIfItDownloadsAgain() throws Exception {
        fleetOf(10, Map.of(Behaviour.LOOPS, 1));
        Device stuck = devices.devices().get(10);
        long canaryGroup = tenant.group("canaries", stuck.mac).id;
        long id = create(Map.of("name", "2.0.0", "releaseId", v2.id, "waves", List.of(
                wave(Map.of("groups", List.of(canaryGroup), "failureThreshold", 100)), wave(Map.of("percent", 100)))));
        post(id, "start");
        assertThat(devices.checkIn(List.of(stuck))).hasSize(1);
        fleet.flushActivity();
        clock.advance(java.time.Duration.ofMinutes(16)); // past firmament.devices.install-timeout
        assertThat(devices.checkIn(List.of(stuck))).as("offered again: it may still make it").hasSize(1);
        fleet.flushActivity(); // the engine has not looked: the check-in alone tells

        var request = given().auth().oauth2(token).queryParam("state", "failed");
        List<Map<String, Object>> failed = request.get("/api/v1/tenants/{t}/rollouts/{id}/devices", slug(), id)
                .jsonPath().getList("items");
        assertThat(failed).singleElement().satisfies(member -> {
            assertThat(member).containsEntry("mac", stuck.mac).containsEntry("failure", "still-old-image")
                    .containsEntry("downloads", 2);
        });
    }

    @Test
    void aScheduledDraftStartsByItselfWhenItsTimeComesAndACancelledOneWaits() throws Exception {
        fleetOf(10, Map.of());
        java.time.Instant inAnHour = clock.instant().plus(java.time.Duration.ofHours(1))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Object> definition = Map.of("name", "2.0.0 tonight", "releaseId", v2.id, "startAt",
                inAnHour.toString(), "waves", List.of(wave(Map.of("percent", 100))));
        long scheduled = create(definition);
        long cancelled = create(Map.of("name", "2.0.0 some other night", "releaseId", v2.id, "priority", -1, "startAt",
                inAnHour.toString(), "waves", List.of(wave(Map.of("percent", 100)))));
        assertThat(get(scheduled).getString("startAt")).isEqualTo(inAnHour.toString());
        JsonPath unscheduled = given().auth().oauth2(token)
                .delete("/api/v1/tenants/{t}/rollouts/{id}/schedule", slug(), cancelled).then().statusCode(200)
                .extract().jsonPath();
        assertThat(unscheduled.getString("startAt")).isNull();

        settle();
        assertThat(get(scheduled).getString("state")).isEqualTo("draft");
        assertThat(devices.checkInAll()).isEmpty();

        clock.advance(java.time.Duration.ofMinutes(61));
        settle();
        JsonPath started = get(scheduled);
        assertThat(started.getString("state")).isEqualTo("running");
        assertThat(started.getInt("total.devices")).isEqualTo(10);
        assertThat(get(cancelled).getString("state")).isEqualTo("draft");
        assertThat(devices.checkInAll()).hasSize(10);
        List<String> actions = given().auth().oauth2(token).queryParam("target", Long.toString(scheduled))
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.action");
        assertThat(actions).containsExactly("rollout.scheduled-start", "rollout.create");
        List<String> actors = given().auth().oauth2(token).queryParam("action", "rollout.scheduled-start")
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.actorName");
        assertThat(actors).containsExactly("Rollout engine");
        assertThat(given().auth().oauth2(token).queryParam("target", Long.toString(cancelled))
                .get("/api/v1/tenants/{t}/audit", slug()).jsonPath().getList("items.action"))
                        .containsExactly("rollout.unschedule", "rollout.create");
    }

    @Test
    void aRollbackRolloutTakesDevicesBackToTheOlderRelease() throws Exception {
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("rollouts", Role.MAINTAINER, null, "test").secret());
        byte[] image1 = Fleet.espImage(6_000, 1);
        byte[] image2 = Fleet.espImage(7_000, 2);
        v1 = tenant.release("1.0.0", image1, null);
        v2 = tenant.release("2.0.0", image2, null);
        devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"));
        devices.add("5C:CF:7F", 30, "2.0.0", Fleet.md5(image2), Behaviour.INSTALLS);
        assertThat(devices.checkInAll()).isEmpty();
        List<Device> canaries = devices.devices().subList(0, 3);
        long canaryGroup = tenant.group("canaries", canaries.stream().map(d -> d.mac).toArray(String[]::new)).id;
        long id = create(Map.of("name", "back to 1.0.0", "releaseId", v1.id, "allowDowngrade", true, "waves",
                List.of(wave(Map.of("groups", List.of(canaryGroup))), wave(Map.of("percent", 100)))));
        assertThat(post(id, "start").getInt("total.devices")).isEqualTo(30);
        assertThat(devices.checkInAll()).isEqualTo(macs(canaries));
        devices.checkInAll();
        settle();
        assertThat(devices.checkInAll()).hasSize(27);
        devices.checkInAll();
        settle();
        JsonPath done = get(id);
        assertThat(done.getString("state")).isEqualTo("completed");
        assertThat(done.getInt("total.installed")).isEqualTo(30);
        assertThat(devices.devices()).allSatisfy(d -> assertThat(d.version).isEqualTo("1.0.0"));
    }

    @Test
    void thePreviewCountsEachWaveAndWarnsBeforeTheStartAndHoldsSayWhyWhileItRuns() throws Exception {
        fleetOf(FLEET, Map.of());
        List<Device> all = devices.devices();
        List<Device> canaries = all.subList(0, 50);
        String[] canaryMacs = java.util.stream.Stream.concat(canaries.stream().map(d -> d.mac),
                java.util.stream.Stream.of("0C:8B:95:00:00:00", "0C:8B:95:00:00:01")).toArray(String[]::new);
        long canaryGroup = tenant.group("canaries", canaryMacs).id;
        tenant.pin(canaries.get(0).mac, v1, false);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("blocked", true))
                .patch("/api/v1/tenants/{t}/devices/{mac}", slug(), all.get(999).mac).then().statusCode(200);
        List<Device> upToDate = all.subList(900, 905);
        byte[] image2 = Fleet.espImage(7_000, 2);
        upToDate.forEach(d -> {
            d.version = "2.0.0";
            d.md5 = Fleet.md5(image2);
        });
        devices.checkIn(upToDate);
        List<Device> full = all.subList(800, 803);
        devices.freeSpace = 4_096; // smaller than the 7,000-byte image
        devices.checkIn(full);
        devices.freeSpace = 1_000_000;
        List<Device> smallFlash = all.subList(700, 702);
        devices.chipSize = 1_048_576; // the image's header says 4 MB of flash
        devices.checkIn(smallFlash);
        devices.chipSize = 4_194_304;
        fleet.flushActivity();
        long id = create(Map.of("name", "2.0.0 previewed", "releaseId", v2.id, "waves",
                List.of(wave(Map.of("name", "canaries", "groups", List.of(canaryGroup))),
                        wave(Map.of("name", "a quarter", "percent", 25)),
                        wave(Map.of("name", "everyone", "percent", 100)))));

        JsonPath preview = given().auth().oauth2(token).get("/api/v1/tenants/{t}/rollouts/{id}/preview", slug(), id)
                .then().statusCode(200).extract().jsonPath();
        assertThat(preview.getInt("waves[0].devices")).as("49 registered canaries (one is pinned) and 2 never seen")
                .isEqualTo(51);
        assertThat(preview.getInt("waves[0].neverSeen")).isEqualTo(2);
        assertThat(preview.getMap("waves[0].versions")).containsExactly(Map.entry("1.0.0", 49));
        int reached = preview.getList("waves.devices", Integer.class).stream().mapToInt(Integer::intValue).sum();
        assertThat(reached).as("1,000 devices and 2 never seen, less one pinned, one blocked and 5 up to date")
                .isEqualTo(995);
        Map<String, Integer> warnings = new java.util.HashMap<>();
        preview.getList("warnings", Map.class)
                .forEach(w -> warnings.put((String) w.get("code"), (Integer) w.get("devices")));
        assertThat(warnings).containsEntry("larger-than-free-space", 3).containsEntry("flash-too-small", 2)
                .doesNotContainKey("wrong-chip").containsEntry("already-on-release-or-newer", 5)
                .containsEntry("pinned", 1).containsEntry("blocked", 1).containsEntry("never-seen", 2)
                .doesNotContainKey("not-seen-for-a-week");
        assertThat(preview.getList("warnings.find { it.code == 'larger-than-free-space' }.macs", String.class))
                .containsExactlyInAnyOrderElementsOf(macs(full));
        assertThat(preview.getString("warnings.find { it.code == 'larger-than-free-space' }.message"))
                .contains("6.8 KiB image");
        assertThat(preview.getList("warnings.find { it.code == 'flash-too-small' }.macs", String.class))
                .containsExactlyInAnyOrderElementsOf(macs(smallFlash));
        assertThat(preview.getString("warnings.find { it.code == 'flash-too-small' }.message"))
                .contains("built for 4.0 MiB of flash");

        clock.advance(java.time.Duration.ofMinutes(1));
        JsonPath started = post(id, "start");
        assertThat(started.getInt("total.devices")).as("the preview said so").isEqualTo(reached);
        JsonPath holds = holds(id);
        assertThat(holds.getMap("waves[0].holds"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("not-seen-since-start", 49, "never-seen", 2));
        assertThat(holds.getInt("waves[1].holds.wave-not-open")).isEqualTo(preview.getInt("waves[1].devices"));
        assertThat(holds.getInt("waves[2].holds.wave-not-open")).isEqualTo(preview.getInt("waves[2].devices"));

        devices.checkIn(canaries);
        fleet.flushActivity();
        assertThat(holds(id).getMap("waves[0].holds"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("updating", 49, "never-seen", 2));
        devices.checkIn(canaries);
        settle();
        assertThat(get(id).getInt("openWaves")).as("49 of 51 is more than 90 %").isEqualTo(2);
        assertThat(post(id, "advance").getInt("openWaves")).as("everyone, now").isEqualTo(3);
        List<Device> rest = new java.util.ArrayList<>(all);
        rest.removeAll(full);
        rest.removeAll(smallFlash);
        rest.remove(all.get(999)); // blocked: answered 403
        devices.checkIn(rest);
        devices.freeSpace = 4_096;
        devices.checkIn(full); // withheld: the image does not fit
        devices.freeSpace = 1_000_000;
        devices.chipSize = 1_048_576;
        assertThat(devices.checkIn(smallFlash)).as("withheld: built for more flash").isEmpty();
        devices.chipSize = 4_194_304;
        fleet.flushActivity();
        JsonPath running = holds(id);
        assertThat(running.getMap("waves[0].holds"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("already-installed", 49, "never-seen", 2));
        int tooLarge = running.getList("waves.holds.larger-than-free-space", Integer.class).stream()
                .filter(java.util.Objects::nonNull).mapToInt(Integer::intValue).sum();
        assertThat(tooLarge).isEqualTo(3);
        assertThat(
                given().auth().oauth2(token).get("/api/v1/tenants/{t}/rollouts/{id}/holds/flash-too-small", slug(), id)
                        .then().statusCode(200).extract().jsonPath().getList("items.mac"))
                                .containsExactlyInAnyOrderElementsOf(macs(smallFlash));
        assertThat(given().auth().oauth2(token)
                .get("/api/v1/tenants/{t}/rollouts/{id}/holds/larger-than-free-space", slug(), id).then()
                .statusCode(200).extract().jsonPath().getList("items.mac"))
                        .containsExactlyInAnyOrderElementsOf(macs(full));
        Problems.assertProblem(
                given().auth().oauth2(token).get("/api/v1/tenants/{t}/rollouts/{id}/holds/bored", slug(), id), 400,
                "invalid-hold");
    }

    JsonPath holds(long id) {
        return given().auth().oauth2(token).get("/api/v1/tenants/{t}/rollouts/{id}/holds", slug(), id).then()
                .statusCode(200).extract().jsonPath();
    }

    double failures(String kind) {
        return meters.find("firmament.devices.failures").tag("kind", kind).counter().count();
    }

    double rollouts(String state) {
        return meters.find("firmament.rollouts").tag("state", state).gauge().value();
    }

    /** Writes queued device activity, then lets the engine look (as its next tick would). */
    void settle() throws Exception {
        fleet.flushActivity();
        engine.evaluateAll();
    }

    Map<String, Object> wave(Map<String, Object> fields) {
        Map<String, Object> wave = new java.util.HashMap<>(
                Map.of("successThreshold", 90, "failureThreshold", 10, "soakMinutes", 0));
        wave.putAll(fields);
        return wave;
    }

    long create(Map<String, Object> body) {
        return given().auth().oauth2(token).contentType("application/json").body(body)
                .post("/api/v1/tenants/{t}/rollouts", slug()).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    JsonPath start(long id, boolean force) {
        return given().auth().oauth2(token).queryParam("force", force)
                .post("/api/v1/tenants/{t}/rollouts/{id}/start", slug(), id).then().statusCode(200).extract()
                .jsonPath();
    }

    JsonPath post(long id, String action) {
        return given().auth().oauth2(token).post("/api/v1/tenants/{t}/rollouts/{id}/" + action, slug(), id).then()
                .statusCode(200).extract().jsonPath();
    }

    JsonPath get(long id) {
        return given().auth().oauth2(token).get("/api/v1/tenants/{t}/rollouts/{id}", slug(), id).then().statusCode(200)
                .extract().jsonPath();
    }

    Set<String> membersOf(long id, Integer wave) {
        return membersOf(id, wave, null);
    }

    /** Every member, read three to a page through the cursor: each must come exactly once. */
    Set<String> membersOf(long id, Integer wave, String state) {
        var request = given().auth().oauth2(token).queryParam("limit", 3);
        if (wave != null) {
            request.queryParam("wave", wave);
        }
        if (state != null) {
            request.queryParam("state", state);
        }
        JsonPath page = request.get("/api/v1/tenants/{t}/rollouts/{id}/devices", slug(), id).then().statusCode(200)
                .extract().jsonPath();
        List<String> macs = new ArrayList<>(page.getList("items.mac"));
        while (page.getString("next") != null) {
            page = given().auth().oauth2(token).urlEncodingEnabled(false).get(page.getString("next")).then()
                    .statusCode(200).extract().jsonPath();
            macs.addAll(page.getList("items.mac"));
        }
        assertThat(macs).doesNotHaveDuplicates();
        return new HashSet<>(macs);
    }

    String slug() {
        return tenant.as(() -> fleet.slugOf(tenant.id));
    }

    static Set<String> macs(List<Device> devices) {
        return devices.stream().map(d -> d.mac).collect(Collectors.toSet());
    }
}
