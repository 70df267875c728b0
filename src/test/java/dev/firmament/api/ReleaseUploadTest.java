package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.release.ReleaseService;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.Problems;

/** Release uploads are validated while streaming; a refused upload leaves no release and no stored object. */
@QuarkusTest
class ReleaseUploadTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    ReleaseService releases;

    @Inject
    ArtifactStore store;

    @TestHTTPResource("/")
    URL server;

    Fleet.Tenant tenant;
    String token;
    String slug;

    @BeforeEach
    void tenantWithAMaintainer() {
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("ci", Role.MAINTAINER, null, "test").secret());
        slug = fleet.slugOf(tenant.id);
    }

    @Test
    void uploadStoresTheImagesAndReportsTheirDigests() {
        byte[] firmware = Fleet.espImage(150_000, 1);
        byte[] filesystem = Fleet.espImage(40_000, 2);

        Response response = upload("1.0.0", firmware, filesystem).post(path());

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
        assertThat(response.jsonPath().getLong("firmware.size")).isEqualTo(firmware.length);
        assertThat(response.jsonPath().getString("firmware.md5")).isEqualTo(Fleet.md5(firmware));
        assertThat(response.jsonPath().getString("firmware.sha256")).isEqualTo(Fleet.sha256(firmware));
        assertThat(response.jsonPath().getString("filesystem.md5")).isEqualTo(Fleet.md5(filesystem));
    }

    @Test
    void matchingDeclaredDigestsAreAccepted() {
        byte[] firmware = Fleet.espImage(10_000, 3);
        upload("1.0.1", firmware, null).multiPart("firmwareMd5", Fleet.md5(firmware))
                .multiPart("firmwareSha256", Fleet.sha256(firmware)).post(path()).then().statusCode(201);
    }

    @Test
    void aJpegIsRefusedAsAnInvalidImage() throws Exception {
        byte[] jpeg = { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F' };
        assertRefused(upload("1.0.0", jpeg, null).post(path()), 400, "invalid-image");
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        assertRefused(upload("1.0.0", new byte[0], null).post(path()), 400, "invalid-image");
    }

    @Test
    void anOversizedImageIsRefusedWith413() throws Exception {
        byte[] huge = Fleet.espImage(16 * 1024 * 1024 + 1, 4);
        assertRefused(upload("1.0.0", huge, null).post(path()), 413, "payload-too-large");
    }

    @Test
    void aWrongDeclaredHashIsRefusedAndTheFirmwareIsRemovedToo() throws Exception {
        byte[] firmware = Fleet.espImage(10_000, 5);
        byte[] filesystem = Fleet.espImage(5_000, 6);
        Response response = upload("1.0.0", firmware, filesystem).multiPart("filesystemMd5", "0".repeat(32))
                .post(path());
        assertRefused(response, 400, "hash-mismatch");
    }

    @Test
    void aTruncatedMultipartBodyIsRefused() throws Exception {
        String boundary = "----firmament-test";
        byte[] image = Fleet.espImage(50_000, 7);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"product\"\r\n\r\nSONOFF_BASIC\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n1.0.0\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"firmware\"; filename=\"fw.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(image, 0, 20_000); // the client dies here; Content-Length promised the whole body
        byte[] sent = body.toByteArray();
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(("POST " + path() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                            + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: "
                            + (sent.length + 40_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(sent);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            socket.getInputStream().readAllBytes();
        } catch (java.io.IOException connectionDropped) {
            // either way, nothing may be stored
        }
        Thread.sleep(300);
        assertNothingStored();
    }

    @Test
    void aDuplicateVersionIsAConflict() throws Exception {
        upload("2.0.0", Fleet.espImage(10_000, 8), null).post(path()).then().statusCode(201);

        Response again = upload("2.0.0", Fleet.espImage(10_000, 9), null).post(path());

        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.jsonPath().getString("code")).isEqualTo("release-exists");
        assertThat(tenant.as(() -> releases.list())).hasSize(1);
        assertThat(store.list(tenant.id)).hasSize(1); // the second image was removed again
    }

    @Test
    void anUnknownProductIsRefused() {
        Response response = given().auth().oauth2(token).multiPart("product", "NOPE").multiPart("version", "1")
                .multiPart("firmware", "fw.bin", Fleet.espImage(100, 1), "application/octet-stream").post(path());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("code")).isEqualTo("unknown-product");
    }

    @Test
    void aReleasesImagesDownloadByteForByte() {
        byte[] firmware = Fleet.espImage(5_000, 21);
        byte[] filesystem = Fleet.espImage(3_000, 22);
        var release = tenant.release("5.0.0", firmware, filesystem);

        Response got = given().auth().oauth2(token).get(path() + "/" + release.id + "/firmware");
        got.then().statusCode(200).contentType("application/octet-stream")
                .header("Content-Disposition", org.hamcrest.Matchers.containsString("-5.0.0.bin\""))
                .header("ETag", org.hamcrest.Matchers.containsString(Fleet.sha256(firmware)));
        assertThat(got.asByteArray()).isEqualTo(firmware);
        assertThat(given().auth().oauth2(token).get(path() + "/" + release.id + "/filesystem").asByteArray())
                .isEqualTo(filesystem);

        var firmwareOnly = tenant.release("5.0.1", firmware, null);
        Problems.assertProblem(given().auth().oauth2(token).get(path() + "/" + firmwareOnly.id + "/filesystem"), 404,
                "not-found");
        // Another tenant's token reaches neither the release nor its bytes.
        Fleet.Tenant other = fleet.tenant("OTHER");
        String otherToken = other.as(() -> tokens.create("x", Role.VIEWER, null, "test").secret());
        given().auth().oauth2(otherToken).get(path() + "/" + release.id + "/firmware").then().statusCode(404);
        given().auth().oauth2(otherToken)
                .get("/api/v1/tenants/" + fleet.slugOf(other.id) + "/releases/" + release.id + "/firmware").then()
                .statusCode(404);
    }

    @Test
    void notesAreEditedAuditedAndRefusedWhenTheyAreNotText() {
        var release = tenant.release("6.0.0", Fleet.espImage(1_000, 31), null);
        String url = path() + "/" + release.id;

        given().auth().oauth2(token).contentType("application/json").body(Map.of("notes", "Fixes the relay\nand more"))
                .patch(url).then().statusCode(200)
                .body("notes", org.hamcrest.Matchers.equalTo("Fixes the relay\nand more"));
        assertThat(given().auth().oauth2(token).queryParam("action", "release.update")
                .get("/api/v1/tenants/" + fleet.slugOf(tenant.id) + "/audit").jsonPath().getList("items.targetId"))
                        .containsExactly(Long.toString(release.id));
        Problems.assertProblem(given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("notes", "x", "version", "9.9.9")).patch(url), 400, "unknown-field");
        Problems.assertProblem(given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("notes", "a\u0000b")).patch(url), 400, "control-character");
        Problems.assertProblem(
                given().auth().oauth2(token).contentType("application/json").body(Map.of("notes", 5)).patch(url), 400,
                "invalid-patch");
        assertThat(given().auth().oauth2(token).get(url).jsonPath().getString("notes"))
                .isEqualTo("Fixes the relay\nand more");
        given().auth().oauth2(token).contentType("application/json").body("{\"notes\": null}").patch(url).then()
                .statusCode(200).body("notes", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aReleaseInUseCannotBeDeleted() {
        var release = tenant.release("3.0.0", Fleet.espImage(1_000, 1), null);
        tenant.rule(release, null, null);

        Response response = given().auth().oauth2(token).delete(path() + "/" + release.id);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.jsonPath().getString("code")).isEqualTo("release-in-use");
        assertThat(response.jsonPath().getString("detail")).startsWith("Release 3.0.0 is used by rule ")
                .doesNotContain("rule(s)");
    }

    @Test
    void deletingAReleaseRemovesItsImageUnlessAnotherReleaseSharesIt() throws Exception {
        byte[] shared = Fleet.espImage(3_000, 11);
        var first = tenant.release("4.0.0", shared, null);
        var second = tenant.release("4.0.1", shared, Fleet.espImage(2_000, 12));

        given().auth().oauth2(token).delete(path() + "/" + first.id).then().statusCode(204);
        assertThat(store.list(tenant.id)).hasSize(2); // the firmware is still used by 4.0.1

        given().auth().oauth2(token).delete(path() + "/" + second.id).then().statusCode(204);
        assertThat(store.list(tenant.id)).isEmpty();
    }

    private void assertRefused(Response response, int status, String code) throws Exception {
        Problems.assertProblem(response, status, code);
        assertThat(response.jsonPath().getString("detail")).isNotBlank();
        assertNothingStored();
    }

    private void assertNothingStored() throws Exception {
        assertThat(tenant.as(() -> releases.list())).isEmpty();
        assertThat(store.list(tenant.id)).isEmpty();
    }

    private RequestSpecification upload(String version, byte[] firmware, byte[] filesystem) {
        RequestSpecification request = given().auth().oauth2(token).multiPart("product", "SONOFF_BASIC")
                .multiPart("version", version);
        if (firmware != null) {
            request.multiPart("firmware", "firmware.bin", firmware, "application/octet-stream");
        }
        if (filesystem != null) {
            request.multiPart("filesystem", "littlefs.bin", filesystem, "application/octet-stream");
        }
        return request;
    }

    private String path() {
        return "/api/v1/tenants/" + slug + "/releases";
    }
}
