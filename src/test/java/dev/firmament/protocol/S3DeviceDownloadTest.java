package dev.firmament.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.firmament.release.Release;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.S3ProxyServer;
import dev.firmament.testing.S3ProxyTestResource;
import dev.firmament.testing.S3StorageProfile;

/**
 * Device downloads from the S3 store: the first request for an image fetches it from S3 into the local cache, later
 * ones are sent from the cached file; every one is byte-exact.
 */
@QuarkusTest
@TestProfile(S3StorageProfile.class)
class S3DeviceDownloadTest {

    @Inject
    Fleet fleet;

    @Test
    void theFirstDownloadFillsTheCacheAndEveryDownloadIsExact() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        byte[] image = Fleet.espImage(300_000, 9);
        Release release = tenant.release("2.0.0", image, null);
        tenant.rule(release, null, "1.9");

        for (int attempt = 0; attempt < 2; attempt++) {
            Response response = checkIn(tenant.deviceKey);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.asByteArray()).isEqualTo(image);
            assertThat(response.header("x-MD5")).isEqualTo(Fleet.md5(image));
        }
        Response range = given().header("Range", "bytes=100-199").get("/d/{key}/dl/{id}/fw", tenant.deviceKey,
                release.id);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.asByteArray()).isEqualTo(Arrays.copyOfRange(image, 100, 200));
    }

    @Test
    void aFrozenStoreGetsTheDevice503WithRetryAfterAndTheSameCheckInWorksOnceItIsBack() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        byte[] image = Fleet.espImage(200_000, 10);
        Release release = tenant.release("2.0.0", image, null); // in the bucket, not yet in this replica's cache
        tenant.rule(release, null, "1.9");
        S3ProxyServer store = S3ProxyTestResource.running();
        store.freeze();
        Response refused;
        try {
            refused = checkIn(tenant.deviceKey);
            Response upload = given().auth().oauth2("test-bootstrap-token-0123456789")
                    .multiPart("product", "SONOFF_BASIC").multiPart("version", "2.0.1")
                    .multiPart("firmware", "fw.bin", Fleet.espImage(2_000, 11), "application/octet-stream")
                    .post("/api/v1/tenants/{t}/releases", tenant.as(() -> fleet.slugOf(tenant.id)));
            assertThat(upload.statusCode()).as(upload.asString()).isEqualTo(503);
            assertThat(upload.jsonPath().getString("code")).isEqualTo("storage-unavailable");
            assertThat(upload.header("Retry-After")).isNotBlank();
            // Operators see the store down; devices that can be served from the cache keep being served.
            Response dependencies = given().get("/q/health/group/dependencies");
            assertThat(dependencies.statusCode()).isEqualTo(503);
            assertThat(dependencies.jsonPath().getString("checks.find { it.name == 'artifact-store' }.status"))
                    .isEqualTo("DOWN");
            assertThat(given().get("/q/health/ready").statusCode()).isEqualTo(200);
        } finally {
            store.thaw();
        }
        assertThat(refused.statusCode()).as("after the read timeout, not a hang").isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("60");
        Response served = checkIn(tenant.deviceKey);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.asByteArray()).isEqualTo(image);
        dev.firmament.testing.Eventually.assertThat(java.time.Duration.ofSeconds(30),
                () -> assertThat(given().get("/q/health/group/dependencies").statusCode()).isEqualTo(200));
    }

    private static Response checkIn(String key) {
        return given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", "5C:CF:7F:00:00:42")
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0")
                .header("x-ESP8266-free-space", "1000000").get("/d/{key}/update", key);
    }
}
