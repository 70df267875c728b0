package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
        expectProblem(
                api().contentType("application/json")
                        .body(Map.of("product", "SONOFF_BASIC", "releaseId", othersRelease.id)).post(path("/rules")),
                400, "unknown-release");
        expectProblem(api().contentType("application/json").body(Map.of("releaseId", othersRelease.id))
                .put(path("/pins/AA:BB:CC:DD:EE:01")), 400, "unknown-release");
        expectProblem(api().get(path("/releases/" + othersRelease.id)), 404, "not-found");
        expectProblem(api().delete(path("/releases/" + othersRelease.id)), 404, "not-found");
        assertThat(api().get(path("/rules")).jsonPath().getList("$")).isEmpty();
        assertThat(api().get(path("/pins")).jsonPath().getList("$")).isEmpty();
    }

    @Test
    void anotherTenantsGroupCannotBeUsedOrRead() {
        Release mineRelease = mine.release("1.0.0", Fleet.espImage(1_000, 1), null);
        expectProblem(
                api().contentType("application/json").body(Map.of("product", "SONOFF_BASIC", "releaseId",
                        mineRelease.id, "groups", java.util.List.of(othersGroup.id))).post(path("/rules")),
                400, "unknown-group");
        expectProblem(api().contentType("application/json").body(Map.of("name", "k", "group", othersGroup.id))
                .post(path("/device-keys")), 400, "unknown-group");
        expectProblem(api().get(path("/groups/" + othersGroup.id + "/members")), 404, "not-found");
        expectProblem(api().contentType("text/plain").body("AA:BB:CC:DD:EE:02")
                .post(path("/groups/" + othersGroup.id + "/members")), 404, "not-found");
        expectProblem(api().delete(path("/groups/" + othersGroup.id)), 404, "not-found");
    }

    @Test
    void malformedJsonAndWrongContentTypesAreProblems() {
        expectProblem(api().contentType("application/json").body("{\"name\": ").post(path("/products")), 400,
                "malformed-request");
        expectProblem(api().contentType("application/xml").body("<product/>").post(path("/products")), 415,
                "unsupported-media-type");
        expectProblem(api().contentType("application/json").body("{}").post(path("/products")), 400,
                "invalid-product-name");
        expectProblem(api().contentType("application/json").post(path("/products")), 400, "missing-body");
        expectProblem(api().contentType("application/json").body("{\"name\":\"x\",\"role\":\"god\"}")
                .post(path("/api-tokens")), 400, "invalid-role");
        expectProblem(api().get(path("/devices?status=sleeping")), 400, "invalid-status");
        expectProblem(api().get(path("/devices/not-a-mac")), 400, "invalid-mac");
        expectProblem(api().delete(path("/api-tokens/not-a-uuid")), 400, "invalid-id");
        expectProblem(api().get(path("/no-such-thing")), 404, "not-found");
    }

    @Test
    void absurdValuesAreRefused() {
        expectProblem(
                api().contentType("application/json").body(Map.of("name", "x".repeat(10_000))).post(path("/products")),
                400, "invalid-product-name");
        expectProblem(api().contentType("application/json")
                .body(Map.of("name", "t", "role", "viewer", "expiresAt", "2000-01-01T00:00:00Z"))
                .post(path("/api-tokens")), 400, "invalid-expiry");
        expectProblem(
                api().contentType("application/json")
                        .body(Map.of("product", "SONOFF_BASIC", "releaseId", 1, "versionConditions",
                                java.util.List.of(Map.of("op", "~=", "value", "1"))))
                        .post(path("/rules")),
                400, "invalid-version-condition");
    }

    private void expectProblem(Response response, int status, String code) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("code")).isEqualTo(code);
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("dev.firmament");
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token);
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
