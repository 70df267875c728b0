package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

import dev.firmament.release.Release;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.targeting.MacGroup;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.Problems;

/** Malformed requests and ids of another tenant get specific problems, and change nothing. */
@QuarkusTest
class ApiBadInputTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    Fleet.Tenant mine;
    Release othersRelease;
    MacGroup othersGroup;
    String token;
    String slug;

    @BeforeEach
    void twoTenants() {
        mine = fleet.tenant("SONOFF_BASIC");
        token = mine.as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
        slug = fleet.slugOf(mine.id);
        Fleet.Tenant other = fleet.tenant("SONOFF_BASIC");
        othersRelease = other.release("1.0.0", Fleet.espImage(1_000, 1), null);
        othersGroup = other.group("their canaries", "AA:BB:CC:DD:EE:01");
    }

    @Test
    void anotherTenantsReleaseCannotBeUsedInARuleOrAPin() {
        Problems.assertProblem(
                api().contentType("application/json")
                        .body(Map.of("product", "SONOFF_BASIC", "releaseId", othersRelease.id)).post(path("/rules")),
                400, "unknown-release");
        Problems.assertProblem(api().contentType("application/json").body(Map.of("releaseId", othersRelease.id))
                .put(path("/pins/AA:BB:CC:DD:EE:01")), 400, "unknown-release");
        Problems.assertProblem(api().get(path("/releases/" + othersRelease.id)), 404, "not-found");
        Problems.assertProblem(api().delete(path("/releases/" + othersRelease.id)), 404, "not-found");
        assertThat(api().get(path("/rules")).jsonPath().getList("$")).isEmpty();
        assertThat(api().get(path("/pins")).jsonPath().getList("$")).isEmpty();
    }

    @Test
    void anotherTenantsGroupCannotBeUsedOrRead() {
        Release mineRelease = mine.release("1.0.0", Fleet.espImage(1_000, 1), null);
        Problems.assertProblem(
                api().contentType("application/json").body(Map.of("product", "SONOFF_BASIC", "releaseId",
                        mineRelease.id, "groups", java.util.List.of(othersGroup.id))).post(path("/rules")),
                400, "unknown-group");
        Problems.assertProblem(api().contentType("application/json").body(Map.of("name", "k", "group", othersGroup.id))
                .post(path("/device-keys")), 400, "unknown-group");
        Problems.assertProblem(api().get(path("/groups/" + othersGroup.id + "/members")), 404, "not-found");
        Problems.assertProblem(api().contentType("text/plain").body("AA:BB:CC:DD:EE:02")
                .post(path("/groups/" + othersGroup.id + "/members")), 404, "not-found");
        Problems.assertProblem(api().delete(path("/groups/" + othersGroup.id)), 404, "not-found");
    }

    @Test
    void malformedJsonAndWrongContentTypesAreProblems() {
        Problems.assertProblem(api().contentType("application/json").body("{\"name\": ").post(path("/products")), 400,
                "malformed-request");
        Problems.assertProblem(api().contentType("application/xml").body("<product/>").post(path("/products")), 415,
                "unsupported-media-type");
        Problems.assertProblem(api().contentType("application/json").body("{}").post(path("/products")), 400,
                "invalid-product-name");
        Problems.assertProblem(api().contentType("application/json").post(path("/products")), 400, "missing-body");
        Problems.assertProblem(api().contentType("application/json").body("{\"name\":\"x\",\"role\":\"god\"}")
                .post(path("/api-tokens")), 400, "invalid-role");
        Problems.assertProblem(api().get(path("/devices?status=sleeping")), 400, "invalid-status");
        Problems.assertProblem(api().get(path("/devices/not-a-mac")), 400, "invalid-mac");
        Problems.assertProblem(api().delete(path("/api-tokens/not-a-uuid")), 400, "invalid-id");
        Problems.assertProblem(api().get(path("/no-such-thing")), 404, "not-found");
    }

    @Test
    void absurdValuesAreRefused() {
        Problems.assertProblem(
                api().contentType("application/json").body(Map.of("name", "x".repeat(10_000))).post(path("/products")),
                400, "invalid-product-name");
        Problems.assertProblem(api().contentType("application/json")
                .body(Map.of("name", "t", "role", "viewer", "expiresAt", "2000-01-01T00:00:00Z"))
                .post(path("/api-tokens")), 400, "invalid-expiry");
        Problems.assertProblem(
                api().contentType("application/json")
                        .body(Map.of("product", "SONOFF_BASIC", "releaseId", 1, "versionConditions",
                                java.util.List.of(Map.of("op", "~=", "value", "1"))))
                        .post(path("/rules")),
                400, "invalid-version-condition");
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token);
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
