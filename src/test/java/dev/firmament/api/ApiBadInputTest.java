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
        assertThat(api().get(path("/rules")).jsonPath().getList("items")).isEmpty();
        assertThat(api().get(path("/pins")).jsonPath().getList("items")).isEmpty();
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
    void multicastAndBroadcastAddressesAreNeverDevices() {
        Release release = mine.release("1.0.0", Fleet.espImage(1_000, 1), null);
        var pin = api().contentType("application/json").body(Map.of("releaseId", release.id))
                .put(path("/pins/FF:FF:FF:FF:FF:FF"));
        Problems.assertProblem(pin, 400, "invalid-mac");
        assertThat(pin.jsonPath().getString("detail")).contains("multicast or broadcast");
        assertThat(api().get(path("/pins")).jsonPath().getList("items")).isEmpty();

        long group = api().contentType("application/json").body(Map.of("name", "multicast-check")).post(path("/groups"))
                .then().statusCode(201).extract().jsonPath().getLong("id");
        var report = api().contentType("text/plain").body("5C:CF:7F:00:00:01\nFF:FF:FF:FF:FF:FF\n01:00:5E:00:00:FB\n")
                .post(path("/groups/" + group + "/members")).then().statusCode(200).extract().jsonPath();
        assertThat(report.getInt("added")).isEqualTo(1);
        assertThat(report.getList("errors.line", Integer.class)).containsExactly(2, 3);
        assertThat(report.getList("errors.error", String.class))
                .allSatisfy(error -> assertThat(error).contains("multicast or broadcast"));
        assertThat(api().get(path("/groups/" + group + "/members")).jsonPath().getList("items"))
                .containsExactly("5C:CF:7F:00:00:01");
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

    @Test
    void aSecondThingOfTheSameNameIsAConflictThatSaysWhatExists() {
        String email = "twice-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        record Twice(String path, Map<String, Object> body, String code) {
        }
        for (Twice twice : java.util.List.of(new Twice("/products", Map.of("name", "TWICE"), "product-exists"),
                new Twice("/groups", Map.of("name", "canaries"), "group-exists"),
                new Twice("/members", Map.of("email", email, "role", "viewer"), "member-exists"))) {
            api().contentType("application/json").body(twice.body()).post(path(twice.path())).then().statusCode(201);
            Problems.assertProblem(api().contentType("application/json").body(twice.body()).post(path(twice.path())),
                    409, twice.code());
        }
        assertThat(api().get(path("/groups")).jsonPath().getList("items.name")).containsOnlyOnce("canaries");
        Problems.assertProblem(
                given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                        .body(Map.of("slug", slug, "name", "Again", "owner", email)).post("/api/v1/tenants"),
                409, "tenant-exists");
    }

    @Test
    void aNulInANameIsRefusedWhereverItComesFrom() {
        Problems.assertProblem(
                api().contentType("application/json").body("{\"name\": \"site\\u0000a\"}").post(path("/groups")), 400,
                "control-character");
        Problems.assertProblem(
                api().contentType("application/json").body("{\"name\": \"line\\nbreak\"}").post(path("/device-keys")),
                400, "control-character");
        Problems.assertProblem(api().multiPart("product", "SONOFF_BASIC").multiPart("version", "2.0.0")
                .multiPart("notes", "bad\u0000notes")
                .multiPart("firmware", "fw.bin", Fleet.espImage(2_000, 5), "application/octet-stream")
                .post(path("/releases")), 400, "control-character");
        assertThat(api().get(path("/groups")).jsonPath().getList("items")).isEmpty();
        assertThat(api().get(path("/releases")).jsonPath().getList("items")).isEmpty();
    }

    @Test
    void aMultipartUploadCutOffBeforeItsClosingBoundaryIsRefused() {
        byte[] image = Fleet.espImage(4_000, 6);
        String head = "--cut\r\nContent-Disposition: form-data; name=\"product\"\r\n\r\nSONOFF_BASIC\r\n--cut\r\n"
                + "Content-Disposition: form-data; name=\"version\"\r\n\r\n3.0.0\r\n--cut\r\n"
                + "Content-Disposition: form-data; name=\"firmware\"; filename=\"fw.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        byte[] body = new byte[head.length() + image.length / 2];
        System.arraycopy(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, body, 0, head.length());
        System.arraycopy(image, 0, body, head.length(), image.length / 2);
        var response = api().contentType("multipart/form-data; boundary=cut").body(body).post(path("/releases"));
        Problems.assertProblem(response, 400, "malformed-multipart");
        assertThat(api().get(path("/releases")).jsonPath().getList("items")).isEmpty();
    }

    @Test
    void missingFieldsAreNamedEachOne() {
        var members = api().contentType("application/json").body("{}").post(path("/members"));
        Problems.assertProblem(members, 400, "invalid-field");
        assertThat(members.jsonPath().getList("errors.field")).containsExactly("email", "role");
        var tenants = given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                .body(Map.of("slug", "half-" + slug)).post("/api/v1/tenants");
        Problems.assertProblem(tenants, 400, "invalid-field");
        assertThat(tenants.jsonPath().getString("detail")).contains("'name'");
        assertThat(api().get(path("/members")).jsonPath().getList("items")).hasSize(1);
    }

    @Test
    void queryParametersThatDoNotParseAreNamed() {
        var response = api().get(path("/devices?limit=abc"));
        Problems.assertProblem(response, 400, "invalid-parameter");
        assertThat(response.jsonPath().getString("detail")).contains("limit=abc");
    }

    private RequestSpecification api() {
        return given().auth().oauth2(token);
    }

    private String path(String suffix) {
        return "/api/v1/tenants/" + slug + suffix;
    }
}
