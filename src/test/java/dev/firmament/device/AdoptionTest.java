package dev.firmament.device;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.MovableClock;
import dev.firmament.testing.Problems;

/** Adoption over time: the devices seen each day by version, per group, and how one version spread. */
@QuarkusTest
class AdoptionTest {

    static final String CANARY_MAC = "5C:CF:7F:30:00:01";

    @Inject
    Fleet fleet;

    @Inject
    MovableClock clock;

    @Inject
    ApiTokenService tokens;

    @Inject
    DeviceAdoption adoption;

    Fleet.Tenant tenant;
    String token;
    String slug;
    long canary;

    @BeforeEach
    void tenantWithACanary() {
        tenant = fleet.tenant("ADOPT");
        token = tenant.as(() -> tokens.create("reader", Role.VIEWER, null, "test").secret());
        slug = fleet.slugOf(tenant.id);
        canary = tenant.group("canary", CANARY_MAC).id;
        // Noon, so that no check-in of a "day" below falls on another date.
        LocalDate tomorrow = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(1);
        clock.advance(Duration.between(clock.instant(), tomorrow.atTime(12, 0).toInstant(ZoneOffset.UTC)));
    }

    @Test
    void eachDayCountsTheDevicesSeenByTheVersionTheyLastRan() {
        LocalDate first = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        checkIn(CANARY_MAC, "1.0.0");
        checkIn("5C:CF:7F:30:00:02", "1.0.0");
        checkIn("5C:CF:7F:30:00:03", "1.0.0");
        adoption.rollUp();

        clock.advance(Duration.ofDays(1));
        checkIn(CANARY_MAC, "1.0.0");
        checkIn(CANARY_MAC, "2.0.0"); // updated during the day: it counts once, with what it ran last
        checkIn("5C:CF:7F:30:00:02", "2.0.0");
        adoption.rollUp();
        adoption.rollUp(); // recomputing the day counts nobody twice

        JsonPath fleetWide = api().queryParam("days", 2).get(path("/adoption")).then().statusCode(200).extract()
                .jsonPath();
        assertThat(fleetWide.getList("day")).containsExactly(first.toString(), first.plusDays(1).toString());
        assertThat(fleetWide.getMap("[0].versions")).isEqualTo(Map.of("1.0.0", 3));
        assertThat(fleetWide.getMap("[1].versions")).isEqualTo(Map.of("2.0.0", 2));
        assertThat(fleetWide.getList("devices", Integer.class)).containsExactly(3, 2);

        JsonPath inCanary = api().queryParam("days", 3).queryParam("group", canary).queryParam("product", "ADOPT")
                .get(path("/adoption")).jsonPath();
        assertThat(inCanary.getList("devices", Integer.class)).containsExactly(0, 1, 1);
        assertThat(inCanary.getMap("[2].versions")).isEqualTo(Map.of("2.0.0", 1));

        JsonPath spread = api().queryParam("product", "ADOPT").queryParam("version", "2.0.0").queryParam("days", 2)
                .get(path("/adoption/spread")).then().statusCode(200).extract().jsonPath();
        assertThat(spread.getList("group", Long.class)).containsExactly(0L, canary);
        assertThat(spread.getList("[0].days.onVersion", Integer.class)).containsExactly(0, 2);
        assertThat(spread.getList("[0].days.devices", Integer.class)).containsExactly(3, 2);
        assertThat(spread.getList("[1].days.onVersion", Integer.class)).containsExactly(0, 1);
    }

    @Test
    void anotherTenantNeitherReadsNorCountsThisTenantsFleet() {
        checkIn("5C:CF:7F:30:01:01", "1.0.0");
        adoption.rollUp();
        Fleet.Tenant other = fleet.tenant("ADOPT");
        String otherToken = other.as(() -> tokens.create("reader", Role.VIEWER, null, "test").secret());

        given().auth().oauth2(otherToken).get(path("/adoption")).then().statusCode(404);
        given().auth().oauth2(otherToken).queryParam("product", "ADOPT").queryParam("version", "1.0.0")
                .get(path("/adoption/spread")).then().statusCode(404);
        JsonPath theirs = given().auth().oauth2(otherToken).queryParam("days", 1)
                .get("/api/v1/tenants/" + fleet.slugOf(other.id) + "/adoption").jsonPath();
        assertThat(theirs.getList("devices", Integer.class)).containsExactly(0);
        // Nor through a group id of this tenant.
        Problems.assertProblem(given().auth().oauth2(otherToken).queryParam("group", canary)
                .get("/api/v1/tenants/" + fleet.slugOf(other.id) + "/adoption"), 404, "not-found");
    }

    @Test
    void badRangesAndMissingParametersAreRefused() {
        Problems.assertProblem(api().queryParam("days", 0).get(path("/adoption")), 400, "invalid-days");
        Problems.assertProblem(api().queryParam("days", 5000).get(path("/adoption")), 400, "invalid-days");
        Problems.assertProblem(api().queryParam("product", "ADOPT").get(path("/adoption/spread")), 400,
                "invalid-parameter");
    }

    private void checkIn(String mac, String version) {
        given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", mac)
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", version)
                .get("/d/{key}/update", tenant.deviceKey).then().statusCode(304);
        fleet.flushActivity();
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token);
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
