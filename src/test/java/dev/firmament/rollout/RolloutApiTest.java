package dev.firmament.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.release.Release;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.targeting.MacGroup;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.Problems;

/** The rollout API refuses what makes no sense, never reaches another tenant, and keeps what ran. */
@QuarkusTest
class RolloutApiTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    Fleet.Tenant mine;
    Release release;
    MacGroup group;
    Release othersRelease;
    MacGroup othersGroup;
    String token;
    String slug;

    @BeforeEach
    void twoTenants() {
        mine = fleet.tenant("SONOFF_BASIC");
        token = mine.as(() -> tokens.create("maintainer", Role.MAINTAINER, null, "test").secret());
        slug = fleet.slugOf(mine.id);
        release = mine.release("2.0.0", Fleet.espImage(2_000, 1), null);
        group = mine.group("canaries", "AA:BB:CC:DD:EE:01");
        Fleet.Tenant other = fleet.tenant("SONOFF_BASIC");
        othersRelease = other.release("2.0.0", Fleet.espImage(2_000, 2), null);
        othersGroup = other.group("their canaries", "AA:BB:CC:DD:EE:01");
    }

    @Test
    void aValidDefinitionRoundTripsWithDefaults() {
        Response created = api().body(body(Map.of("priority", 5, "eligibility",
                Map.of("versionMin", "1.0", "versionMax", "1.9.99", "groups", List.of(group.id)), "window",
                Map.of("days", List.of("mon", "TUE", "Wednesday"), "from", "22:00", "to", "04:00", "timeZone",
                        "Europe/Berlin"))))
                .post(path("/rollouts"));

        assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
        var json = created.jsonPath();
        assertThat(json.getString("state")).isEqualTo("draft");
        assertThat(json.getInt("priority")).isEqualTo(5);
        assertThat(json.getList("eligibleVersions.op")).containsExactly(">=", "<=");
        assertThat(json.getList("window.days")).containsExactly("MON", "TUE", "WED");
        assertThat(json.getString("window.timeZone")).isEqualTo("Europe/Berlin");
        assertThat(json.getString("waves[1].name")).isEqualTo("Wave 2");
        assertThat(json.getFloat("waves[1].successThreshold")).isEqualTo(90f);
        assertThat(json.getFloat("waves[1].failureThreshold")).isEqualTo(10f);
        assertThat(json.getInt("waves[1].soakMinutes")).isEqualTo(60);
    }

    @Test
    void nonsenseIsRefusedWithASpecificProblem() {
        Problems.assertProblem(api().body(Map.of("name", "x", "releaseId", release.id)).post(path("/rollouts")), 400,
                "invalid-waves");
        Problems.assertProblem(api().body(body(Map.of("name", ""))).post(path("/rollouts")), 400, "invalid-name");
        Problems.assertProblem(api().body(body(Map.of("releaseId", 999_999_999))).post(path("/rollouts")), 400,
                "unknown-release");
        Problems.assertProblem(
                api().body(body(Map.of("waves", List.of(Map.of("successThreshold", 50))))).post(path("/rollouts")), 400,
                "invalid-wave");
        Problems.assertProblem(api().body(body(Map.of("waves", List.of(Map.of("percent", 0))))).post(path("/rollouts")),
                400, "invalid-wave");
        Problems.assertProblem(
                api().body(body(Map.of("waves", List.of(Map.of("percent", 150))))).post(path("/rollouts")), 400,
                "invalid-wave");
        Problems.assertProblem(api().body(body(Map.of("waves", List.of(Map.of("percent", 10, "failureThreshold", -1)))))
                .post(path("/rollouts")), 400, "invalid-wave");
        Problems.assertProblem(
                api().body(body(Map.of("waves", List.of(Map.of("percent", 10, "maxConcurrentDownloads", 0)))))
                        .post(path("/rollouts")),
                400, "invalid-wave");
        Problems.assertProblem(
                api().body(body(Map.of("window", Map.of("days", List.of("funday"), "from", "01:00", "to", "02:00"))))
                        .post(path("/rollouts")),
                400, "invalid-window");
        Problems.assertProblem(
                api().body(body(Map.of("window", Map.of("days", List.of("MON"), "from", "25:00", "to", "02:00"))))
                        .post(path("/rollouts")),
                400, "invalid-window");
        Problems.assertProblem(api()
                .body(body(Map.of("window",
                        Map.of("days", List.of("MON"), "from", "01:00", "to", "02:00", "timeZone", "Mars/Olympus"))))
                .post(path("/rollouts")), 400, "invalid-window");
        Problems.assertProblem(api()
                .body(body(
                        Map.of("eligibility", Map.of("versionConditions", List.of(Map.of("op", "~", "value", "1"))))))
                .post(path("/rollouts")), 400, "invalid-version-condition");
        Problems.assertProblem(given().auth().oauth2(token).get(path("/rollouts?state=sleeping")), 400,
                "invalid-state");
        assertThat(api().get(path("/rollouts")).jsonPath().getList("items")).as("nothing was stored").isEmpty();
    }

    @Test
    void aDefinitionThatCouldNeverWorkAsMeantIsRefused() {
        Problems.assertProblem(api().body(body(Map.of("eligibility", Map.of("versionMin", "2.0", "versionMax", "1.0"))))
                .post(path("/rollouts")), 400, "empty-version-range");
        Problems.assertProblem(api()
                .body(body(Map.of("eligibility",
                        Map.of("versionConditions",
                                List.of(Map.of("op", ">", "value", "1.5"), Map.of("op", "<", "value", "1.5"))))))
                .post(path("/rollouts")), 400, "empty-version-range");
        Problems.assertProblem(api()
                .body(body(
                        Map.of("waves", List.of(Map.of("percent", 50), Map.of("percent", 25), Map.of("percent", 100)))))
                .post(path("/rollouts")), 400, "invalid-waves");
        Problems.assertProblem(
                api().body(body(Map.of("waves", List.of(Map.of("percent", 100), Map.of("groups", List.of(group.id))))))
                        .post(path("/rollouts")),
                400, "invalid-waves");
        Problems.assertProblem(
                api().body(body(Map.of("waves", List.of(Map.of("groups", List.of(group.id)),
                        Map.of("groups", List.of(group.id)), Map.of("percent", 100))))).post(path("/rollouts")),
                400, "invalid-waves");
        Problems.assertProblem(
                api().body(body(Map.of("waves", List.of(Map.of("percent", 10, "successThreshold", 101)))))
                        .post(path("/rollouts")),
                400, "invalid-wave");
        Problems.assertProblem(api().body(body(Map.of("startsAt", "2030-01-01T00:00:00Z"))).post(path("/rollouts")),
                400, "unknown-field");
        Problems.assertProblem(api().body(body(Map.of("startAt", "2001-01-01T00:00:00Z"))).post(path("/rollouts")), 400,
                "invalid-start-at");
        // A share of a group that grows is fine, and so is a group after a share of it.
        assertThat(api()
                .body(body(Map.of("waves",
                        List.of(Map.of("groups", List.of(group.id), "percent", 10),
                                Map.of("groups", List.of(group.id), "percent", 50), Map.of("percent", 100)))))
                .post(path("/rollouts")).statusCode()).isEqualTo(201);

        long id = api().body(body(Map.of())).post(path("/rollouts")).jsonPath().getLong("id");
        Problems.assertProblem(api().body(body(Map.of("eligibility", Map.of("versionMin", "3", "versionMax", "2"))))
                .put(path("/rollouts/" + id)), 400, "empty-version-range");
        assertThat(api().get(path("/rollouts/" + id)).jsonPath().getList("eligibleVersions"))
                .as("the draft is as it was").isEmpty();
    }

    @Test
    void aRolloutToAnOlderReleaseIsARollbackAndSaysSo() {
        Release older = mine.release("1.5.0", Fleet.espImage(2_000, 3), null);
        Response refused = api().body(body(Map.of("releaseId", older.id))).post(path("/rollouts"));
        Problems.assertProblem(refused, 400, "downgrade-not-allowed");
        assertThat(refused.jsonPath().getString("detail")).contains("older than 2.0.0").contains("allowDowngrade");

        Response rollback = api().body(body(Map.of("releaseId", older.id, "allowDowngrade", true)))
                .post(path("/rollouts"));
        assertThat(rollback.statusCode()).isEqualTo(201);
        assertThat(rollback.jsonPath().getBoolean("allowDowngrade")).isTrue();
        List<Map<String, Object>> audit = api().queryParam("action", "rollout.create")
                .queryParam("target", rollback.jsonPath().getString("id")).get(path("/audit")).jsonPath()
                .getList("items");
        assertThat(audit).singleElement()
                .satisfies(event -> assertThat(event.get("after").toString()).contains("allowDowngrade=true"));
    }

    @Test
    void anotherTenantsReleaseAndGroupsCannotBeUsed() {
        Problems.assertProblem(api().body(body(Map.of("releaseId", othersRelease.id))).post(path("/rollouts")), 400,
                "unknown-release");
        Problems.assertProblem(api().body(body(Map.of("eligibility", Map.of("groups", List.of(othersGroup.id)))))
                .post(path("/rollouts")), 400, "unknown-group");
        Problems.assertProblem(api().body(body(Map.of("waves", List.of(Map.of("groups", List.of(othersGroup.id))))))
                .post(path("/rollouts")), 400, "unknown-group");
        long id = api().body(body(Map.of())).post(path("/rollouts")).jsonPath().getLong("id");
        String othersToken = fleet.tenant("SONOFF_BASIC")
                .as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
        assertThat(given().auth().oauth2(othersToken).post(path("/rollouts/" + id + "/start")).statusCode())
                .isEqualTo(404);
        assertThat(api().get(path("/rollouts/" + id)).jsonPath().getString("state")).isEqualTo("draft");
    }

    @Test
    void transitionsFollowTheStateMachineAndWhatRanIsKept() {
        long id = api().body(body(Map.of())).post(path("/rollouts")).jsonPath().getLong("id");
        Problems.assertProblem(api().post(path("/rollouts/" + id + "/pause")), 409, "rollout-state");
        Problems.assertProblem(api().post(path("/rollouts/" + id + "/resume")), 409, "rollout-state");
        assertThat(api().post(path("/rollouts/" + id + "/start")).jsonPath().getString("state")).isEqualTo("running");
        Problems.assertProblem(api().post(path("/rollouts/" + id + "/start")), 409, "rollout-state");
        Problems.assertProblem(api().body(body(Map.of())).put(path("/rollouts/" + id)), 409, "rollout-state");
        Problems.assertProblem(api().delete(path("/rollouts/" + id)), 409, "rollout-state");
        Problems.assertProblem(api().delete(path("/releases/" + release.id)), 409, "release-in-use");
        Problems.assertProblem(api().delete(path("/groups/" + group.id)), 409, "group-in-use");
        assertThat(api().post(path("/rollouts/" + id + "/pause")).jsonPath().getString("pausedReason"))
                .isEqualTo("Paused by hand");
        assertThat(api().post(path("/rollouts/" + id + "/abort")).jsonPath().getString("state")).isEqualTo("aborted");
        Problems.assertProblem(api().post(path("/rollouts/" + id + "/advance")), 409, "rollout-state");
        assertThat(api().delete(path("/groups/" + group.id)).statusCode()).as("an aborted rollout lets go")
                .isEqualTo(204);
        assertThat(api().get(path("/rollouts/" + id)).statusCode()).isEqualTo(200);
    }

    @Test
    void aRolloutThatNeverStartedCanBeDeleted() {
        long id = api().body(body(Map.of())).post(path("/rollouts")).jsonPath().getLong("id");
        assertThat(api().delete(path("/rollouts/" + id)).statusCode()).isEqualTo(204);
        Problems.assertProblem(api().get(path("/rollouts/" + id)), 404, "not-found");
    }

    private Map<String, Object> body(Map<String, Object> overrides) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "2.0.0 carefully", "releaseId", release.id, "waves",
                List.of(Map.of("groups", List.of(group.id), "soakMinutes", 0), Map.of("percent", 100))));
        body.putAll(overrides);
        return body;
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token).contentType("application/json");
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
