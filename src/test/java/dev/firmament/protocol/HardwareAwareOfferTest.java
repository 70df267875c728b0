package dev.firmament.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.release.Release;
import dev.firmament.testing.Fleet;

/**
 * No device is offered an image it would refuse after downloading it, and {@code getAvailableVersion} announces exactly
 * what {@code update()} would deliver. The ESP8266 requests are the captured ones (esp8266/Arduino master: an ESP8266
 * with 4 MB of flash, 4 MB free, running 1.2.3); the ESP32 ones are built as HTTPUpdate sends them.
 */
@QuarkusTest
class HardwareAwareOfferTest {

    @Inject
    Fleet fleet;

    @Inject
    AgroalDataSource dataSource;

    /** The captured check-in's 1.2.3 device: what update() and getAvailableVersion() get for one image. */
    record Answers(Response update, Response available) {
    }

    Answers capturedDeviceAsksFor(Fleet.Tenant tenant) throws Exception {
        Response update = captured("sketch-304-with-version").get("/d/{key}/update", tenant.deviceKey);
        Response available = captured("getAvailableVersion").get("/d/{key}/update", tenant.deviceKey);
        assertThat(available.statusCode()).as("getAvailableVersion always gets 200 and x-version").isEqualTo(200);
        assertThat(available.asByteArray()).isEmpty();
        return new Answers(update, available);
    }

    @Test
    void anImageTheDeviceCanTakeIsOfferedAndAnnouncedAlike() throws Exception {
        byte[] image = Fleet.espImage(300_000, 1);
        Answers answers = capturedDeviceAsksFor(offering("9.9.9", image));

        assertThat(answers.update().statusCode()).isEqualTo(200);
        assertThat(answers.update().asByteArray()).isEqualTo(image);
        assertThat(answers.available().header("x-version")).isEqualTo("9.9.9");
        assertThat(answers.available().header("x-MD5")).isEqualTo(answers.update().header("x-MD5"))
                .isEqualTo(Fleet.md5(image));
    }

    @Test
    void whatTheDeviceCannotTakeIsWithheldAndNotAnnounced() throws Exception {
        Map<String, byte[]> unfit = new LinkedHashMap<>();
        unfit.put("wrong-chip", Fleet.esp32Image(300_000, 2, 9)); // an ESP32-S3 image
        unfit.put("flash-too-small", Fleet.esp8266Image(300_000, 3, 0x90)); // built for 16 MB
        unfit.put("larger-than-free-space", Fleet.espImage(4_194_305, 4));
        for (Map.Entry<String, byte[]> c : unfit.entrySet()) {
            Fleet.Tenant tenant = offering("9.9.9", c.getValue());
            Answers answers = capturedDeviceAsksFor(tenant);

            assertThat(answers.update().statusCode()).as(c.getKey()).isEqualTo(304);
            assertThat(answers.available().header("x-version")).as(c.getKey() + ": its own version, nothing new")
                    .isEqualTo("1.2.3");
            assertThat(answers.available().header("x-MD5")).as(c.getKey()).isNull();
            assertThat(withheldReasons(tenant)).as(c.getKey()).containsExactly(c.getKey());
        }

        // A downgrade nothing allows: update() sends nothing, so getAvailableVersion announces nothing older.
        Fleet.Tenant older = offering("1.0.0", Fleet.espImage(300_000, 5));
        Answers downgrade = capturedDeviceAsksFor(older);
        assertThat(downgrade.update().statusCode()).isEqualTo(304);
        assertThat(downgrade.available().header("x-version")).isEqualTo("1.2.3");
    }

    @Test
    void aDeviceThatSaysNoVersionIsToldNothingWhenNothingIsDue() throws Exception {
        Fleet.Tenant tenant = offering("9.9.9", Fleet.esp32Image(300_000, 6, 0));
        // Without its version the device could not compare an echo: 304, which the client reports as -104.
        Response answer = given().headers(headersOf("getAvailableVersion", Set.of("x-esp8266-version")))
                .get("/d/{key}/update", tenant.deviceKey);
        assertThat(answer.statusCode()).isEqualTo(304);
        assertThat(answer.header("x-version")).isNull();
    }

    @Test
    void esp32DevicesGetEsp32ImagesOnlyAndNeverGzip() throws Exception {
        byte[] esp32 = Fleet.esp32Image(300_000, 7, 0);
        Response served = esp32("1.0.0").get("/d/{key}/update", offering("2.0.0", esp32).deviceKey);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.asByteArray()).isEqualTo(esp32);

        Fleet.Tenant esp8266 = offering("2.0.0", Fleet.espImage(300_000, 8));
        esp32("1.0.0").get("/d/{key}/update", esp8266.deviceKey).then().statusCode(304);
        Fleet.Tenant gzip = offering("2.0.0", gzipImage());
        esp32("1.0.0").get("/d/{key}/update", gzip.deviceKey).then().statusCode(304);
        assertThat(withheldReasons(esp8266)).containsExactly("wrong-chip");
        assertThat(withheldReasons(gzip)).containsExactly("gzip-not-supported");

        // The ESP8266 core unpacks gzip itself: its devices get the image.
        EspHttpUpdateTest.esp8266("1.0.0").get("/d/{key}/update", gzip.deviceKey).then().statusCode(200);
    }

    @Test
    void noFussDevicesAreNotOfferedEsp32Images() {
        Fleet.Tenant tenant = offering("2.0.0", Fleet.esp32Image(300_000, 9, 5));
        String answer = given().header("X-ESP8266-MAC", "5C:CF:7F:00:00:01").header("X-ESP8266-DEVICE", "SONOFF_BASIC")
                .header("X-ESP8266-VERSION", "1.0.0").get("/d/{key}/nofuss", tenant.deviceKey).then().statusCode(200)
                .extract().asString();
        assertThat(answer).isEqualTo("{}");
    }

    private Fleet.Tenant offering(String version, byte[] firmware) {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        Release release = tenant.release(version, firmware, null);
        tenant.rule(release, null, null);
        return tenant;
    }

    private java.util.List<String> withheldReasons(Fleet.Tenant tenant) throws Exception {
        fleet.flushActivity();
        java.util.List<String> reasons = new java.util.ArrayList<>();
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("select distinct detail->>'reason' from"
                + " device_events where tenant_id = ? and type = 'withheld'")) {
            s.setString(1, tenant.id.toString());
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    reasons.add(rs.getString(1));
                }
            }
        }
        return reasons;
    }

    private static byte[] gzipImage() throws java.io.IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write(Fleet.espImage(300_000, 10));
        }
        return bytes.toByteArray();
    }

    static RequestSpecification esp32(String version) {
        return given().header("User-Agent", "ESP32-http-Update").header("x-ESP32-STA-MAC", "34:85:18:41:EB:78")
                .header("x-ESP32-AP-MAC", "36:85:18:41:EB:78").header("x-ESP32-free-space", "1310720")
                .header("x-ESP32-sketch-size", "1006448").header("x-ESP32-chip-size", "8388608")
                .header("x-ESP32-sdk-version", "v4.4.5").header("x-ESP32-mode", "sketch")
                .header("x-ESP32-version", version);
    }

    /** The identity headers of a captured request of esp8266/Arduino master. */
    private static RequestSpecification captured(String caseName) throws Exception {
        return given().headers(headersOf(caseName, Set.of()));
    }

    /** A captured request's headers, but for the connection's own ({@code Host}, …) and {@code without}. */
    private static Map<String, String> headersOf(String caseName, Set<String> without) throws Exception {
        JsonNode request = CapturedClientReplayTest
                .captured(r -> caseName.equals(r.path("case").asText()) && r.get("client").asText().contains("master"))
                .get(0);
        Map<String, String> headers = new LinkedHashMap<>(CapturedClientReplayTest.headers(request));
        headers.keySet().removeIf(
                name -> Set.of("host", "connection", "content-length").contains(name) || without.contains(name));
        return headers;
    }
}
