package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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
import dev.firmament.testing.Fleet;
import dev.firmament.testing.MovableClock;

/** What the fleet endpoints do: NoFUSS import and export, bulk MAC lists, device listings. */
@QuarkusTest
class FleetApiTest {

    /** The example of the NoFUSS 0.3.0 README. */
    static final String README_VERSIONS_JSON = """
            [ { "origin": { "mac": "5C:CF:7F:8B:6B:26", "device": "TEST", "gt": "*", "lt": "0.1.1",
                            "build_not": "3fe56a4" },
                "target": { "version": "0.1.1", "firmware": "/firmware/test-0.1.1.bin", "spiffs": "" } } ]
            """;

    @Inject
    Fleet fleet;

    @Inject
    MovableClock clock;

    @Inject
    ApiTokenService tokens;

    Fleet.Tenant tenant;
    Release target;
    String token;
    String slug;

    @BeforeEach
    void tenantWithTheReadmeRelease() {
        tenant = fleet.tenant("TEST");
        target = tenant.release("0.1.1", Fleet.espImage(20_000, 1), null);
        token = tenant.as(() -> tokens.create("ci", Role.MAINTAINER, null, "test").secret());
        slug = fleet.slugOf(tenant.id);
    }

    @Test
    void importedVersionsFileDecidesAsTheNoFussServerWould() {
        api().contentType("application/json").body(README_VERSIONS_JSON).post(path("/rules/import")).then()
                .statusCode(200);

        assertThat(noFuss(tenant, "5C:CF:7F:8B:6B:26", "0.1.0", "abc1234")).contains("\"version\":\"0.1.1\"");
        assertThat(noFuss(tenant, "5C:CF:7F:8B:6B:26", "0.1.0", "3fe56a4")).isEqualTo("{}");
        assertThat(noFuss(tenant, "5C:CF:7F:8B:6B:26", "0.1.1", "abc1234")).isEqualTo("{}");
        assertThat(noFuss(tenant, "5C:CF:7F:00:00:01", "0.1.0", "abc1234")).isEqualTo("{}");
    }

    @Test
    void exportThenImportElsewhereRoundTrips() {
        api().contentType("application/json").body(README_VERSIONS_JSON).post(path("/rules/import")).then()
                .statusCode(200);

        Response exported = api().get(path("/rules/export"));
        assertThat(exported.jsonPath().getList("$")).hasSize(1);
        assertThat(exported.jsonPath().getMap("[0].origin")).isEqualTo(
                Map.of("device", "TEST", "mac", List.of("5C:CF:7F:8B:6B:26"), "lt", "0.1.1", "build_not", "3fe56a4"));
        assertThat(exported.jsonPath().getMap("[0].target"))
                .isEqualTo(Map.of("version", "0.1.1", "firmware", "/dl/" + target.id + "/fw", "spiffs", ""));

        Fleet.Tenant other = fleet.tenant("TEST");
        other.release("0.1.1", Fleet.espImage(20_000, 1), null);
        String otherToken = other.as(() -> tokens.create("ci", Role.MAINTAINER, null, "test").secret());
        given().auth().oauth2(otherToken).contentType("application/json").body(exported.asString())
                .post("/api/v1/tenants/" + fleet.slugOf(other.id) + "/rules/import").then().statusCode(200);
        assertThat(noFuss(other, "5C:CF:7F:8B:6B:26", "0.1.0", "abc1234")).contains("\"version\":\"0.1.1\"");
        assertThat(noFuss(other, "5C:CF:7F:8B:6B:26", "0.1.0", "3fe56a4")).isEqualTo("{}");
    }

    @Test
    void aFileWithBadEntriesIsRefusedWholeWithAReasonPerEntry() {
        String file = """
                [ { "origin": { "device": "TEST", "max": "0.1.0" }, "target": { "version": "0.1.1" } },
                  { "origin": { "mac": "5C:CF:7F:8B:6B:26" }, "target": { "version": "0.1.1" } },
                  { "origin": { "device": "TEST", "mac": "not-a-mac" }, "target": { "version": "0.1.1" } },
                  { "origin": { "device": "TEST" }, "target": { "version": "9.9.9" } } ]
                """;

        Response response = api().contentType("application/json").body(file).post(path("/rules/import"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("code")).isEqualTo("invalid-versions-file");
        assertThat(response.jsonPath().getList("errors.entry", Integer.class)).containsExactly(1, 2, 3);
        assertThat(api().get(path("/rules")).jsonPath().getList("items")).isEmpty();
    }

    @Test
    void pastedMacListsKeepValidLinesAndReportTheRest() {
        long group = api().contentType("application/json").body(Map.of("name", "canaries")).post(path("/groups"))
                .jsonPath().getLong("id");

        Response result = api().contentType("text/csv")
                .body("mac,site\n5c:cf:7f:00:00:01,north\n\n# comment\nnot-a-mac,south\n5C-CF-7F-00-00-02\n")
                .post(path("/groups/" + group + "/members"));

        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(result.jsonPath().getInt("added")).isEqualTo(2);
        assertThat(result.jsonPath().getInt("errors[0].line")).isEqualTo(5);
        assertThat(result.jsonPath().getString("errors[0].value")).isEqualTo("not-a-mac");
        assertThat(api().get(path("/groups/" + group + "/members")).jsonPath().getList("items"))
                .containsExactly("5C:CF:7F:00:00:01", "5C:CF:7F:00:00:02");
    }

    @Test
    void devicesAreListedFilteredAndPaged() {
        for (int i = 1; i <= 5; i++) {
            given().header("x-ESP8266-STA-MAC", "5C:CF:7F:00:01:0" + i).header("x-ESP8266-mode", "sketch")
                    .header("x-ESP8266-version", i <= 3 ? "0.1.0" : "0.1.1").get("/d/{key}/update", tenant.deviceKey)
                    .then().statusCode(304);
        }
        fleet.flushActivity();

        Response all = api().queryParam("limit", 2).queryParam("sort", "mac").get(path("/devices"));
        assertThat(all.jsonPath().getLong("total")).isEqualTo(5);
        assertThat(all.jsonPath().getList("items.mac")).containsExactly("5C:CF:7F:00:01:01", "5C:CF:7F:00:01:02");
        assertThat(api().get(all.jsonPath().getString("next")).jsonPath().getList("items.mac"))
                .containsExactly("5C:CF:7F:00:01:03", "5C:CF:7F:00:01:04");

        Response old = api().queryParam("version", "0.1.0").get(path("/devices"));
        assertThat(old.jsonPath().getLong("total")).isEqualTo(3);

        assertThat(api().queryParam("seenSince", java.time.Instant.now().minusSeconds(600).toString())
                .get(path("/devices")).jsonPath().getLong("total")).isEqualTo(5);
        assertThat(api().queryParam("seenBefore", java.time.Instant.now().minusSeconds(600).toString())
                .get(path("/devices")).jsonPath().getLong("total")).isZero();
        assertThat(api().queryParam("mac", "5C:CF:7F:00:01:01").queryParam("type", "offered").get(path("/events"))
                .jsonPath().getList("items")).isEmpty();

        Response search = api().queryParam("q", "01:05").get(path("/devices"));
        assertThat(search.jsonPath().getList("items.mac")).containsExactly("5C:CF:7F:00:01:05");

        api().contentType("application/json").body(Map.of("blocked", true)).patch(path("/devices/5C:CF:7F:00:01:05"))
                .then().statusCode(200);
        assertThat(api().queryParam("status", "blocked").get(path("/devices")).jsonPath().getList("items.mac"))
                .containsExactly("5C:CF:7F:00:01:05");
        assertThat(api().get(path("/devices/5c-cf-7f-00-01-05")).jsonPath().getBoolean("blocked")).isTrue();
        api().get(path("/devices/5C:CF:7F:00:09:99")).then().statusCode(404);
        assertThat(api().get(path("/devices/5C:CF:7F:00:01:05/events")).jsonPath().getList("items")).isEmpty();
        api().queryParam("limit", 100000).get(path("/devices")).then().statusCode(400);
    }

    @Test
    void aCheckInWithNothingNewMovesOnlyLastSeenAndRecencyFiltersAreExact() {
        String mac = "5C:CF:7F:00:02:01";
        checkIn(mac, "0.1.1", "1000").then().statusCode(304);
        checkIn("5C:CF:7F:00:02:02", "0.1.1", "1000").then().statusCode(304);
        fleet.flushActivity();
        Instant first = lastSeen(mac);

        clock.advance(java.time.Duration.ofSeconds(5));
        checkIn(mac, "0.1.1", "1000").then().statusCode(304); // nothing new: only last_seen is written
        fleet.flushActivity();
        Response device = api().get(path("/devices/" + mac));
        Instant second = Instant.parse(device.jsonPath().getString("lastSeen"));
        assertThat(second).isAfter(first);
        assertThat(device.jsonPath().getLong("freeSpace")).isEqualTo(1000);
        assertThat(Instant.parse(device.jsonPath().getString("firstSeen"))).isEqualTo(first);

        checkIn(mac, "0.1.1", null).then().statusCode(304); // a header left out keeps what was reported before
        fleet.flushActivity();
        assertThat(api().get(path("/devices/" + mac)).jsonPath().getLong("freeSpace")).isEqualTo(1000);
        checkIn(mac, "0.1.1", "2000").then().statusCode(304);
        fleet.flushActivity();
        Instant latest = lastSeen(mac);
        assertThat(api().get(path("/devices/" + mac)).jsonPath().getLong("freeSpace")).isEqualTo(2000);

        // Recency goes through an indexed 5-minute window first, then last_seen itself: the bounds stay exact.
        assertThat(macs(api().queryParam("sort", "lastSeen"))).startsWith(mac, "5C:CF:7F:00:02:02");
        assertThat(macs(api().queryParam("seenSince", latest.toString()))).containsExactly(mac);
        assertThat(macs(api().queryParam("seenSince", latest.plusNanos(1000).toString()))).isEmpty();
        assertThat(macs(api().queryParam("seenBefore", latest.toString()))).doesNotContain(mac)
                .contains("5C:CF:7F:00:02:02");
        assertThat(macs(api().queryParam("seenBefore", latest.plusNanos(1000).toString()))).contains(mac);
    }

    private Response checkIn(String mac, String version, String freeSpace) {
        RequestSpecification request = given().header("x-ESP8266-STA-MAC", mac).header("x-ESP8266-mode", "sketch")
                .header("x-ESP8266-version", version);
        return (freeSpace == null ? request : request.header("x-ESP8266-free-space", freeSpace)).get("/d/{key}/update",
                tenant.deviceKey);
    }

    private Instant lastSeen(String mac) {
        return Instant.parse(api().get(path("/devices/" + mac)).jsonPath().getString("lastSeen"));
    }

    private List<String> macs(RequestSpecification request) {
        return request.queryParam("limit", 1000).get(path("/devices")).then().statusCode(200).extract().jsonPath()
                .getList("items.mac");
    }

    private String noFuss(Fleet.Tenant t, String mac, String version, String build) {
        return given().header("X-ESP8266-MAC", mac).header("X-ESP8266-DEVICE", "TEST")
                .header("X-ESP8266-VERSION", version).header("X-ESP8266-BUILD", build)
                .get("/d/{key}/nofuss", t.deviceKey).asString();
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token);
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
