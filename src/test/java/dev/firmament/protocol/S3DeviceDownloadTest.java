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

    private static Response checkIn(String key) {
        return given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", "5C:CF:7F:00:00:42")
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0")
                .header("x-ESP8266-free-space", "1000000").get("/d/{key}/update", key);
    }
}
