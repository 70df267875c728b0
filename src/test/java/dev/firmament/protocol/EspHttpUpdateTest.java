package dev.firmament.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.device.DeviceService;
import dev.firmament.release.Release;
import dev.firmament.testing.Eventually;
import dev.firmament.testing.Fleet;

/** The header protocol, as ESP8266httpUpdate and ESP32 HTTPUpdate speak it. */
@QuarkusTest
class EspHttpUpdateTest {

    static final String MAC = "DE:BA:7A:B1:E0:42";

    @Inject
    Fleet fleet;

    @Inject
    DeviceService devices;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    dev.firmament.targeting.TargetingSnapshots snapshots;

    Fleet.Tenant tenant;
    byte[] image = Fleet.espImage(200_000, 7);
    Release v2;

    @BeforeEach
    void fleetWithARule() {
        tenant = fleet.tenant("SONOFF_BASIC");
        tenant.release("1.2.3", Fleet.espImage(190_000, 3), null);
        v2 = tenant.release("2.0.0", image, Fleet.espImage(50_000, 9));
        tenant.rule(v2, "1.0", "1.9.9");
    }

    @Test
    void offersTheImageWithExactLengthMd5AndEtag() {
        Response response = esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(image.length));
        assertThat(response.header("x-MD5")).isEqualTo(Fleet.md5(image));
        assertThat(response.header("ETag")).isEqualTo("\"" + Fleet.sha256(image) + "\"");
        assertThat(response.header("Transfer-Encoding")).isNull();
        assertThat(response.asByteArray()).isEqualTo(image);
    }

    @Test
    void answers304WhenNothingIsDue() {
        esp8266("2.0.0").get("/d/{key}/update", tenant.deviceKey).then().statusCode(304);
        esp8266("0.9").get("/d/{key}/update", tenant.deviceKey).then().statusCode(304);
    }

    @Test
    void filesystemModeGetsTheFilesystemImage() {
        byte[] fs = Fleet.espImage(50_000, 9);
        Response response = esp8266("1.2.3", "x-ESP8266-mode", "spiffs").get("/d/{key}/update", tenant.deviceKey);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.asByteArray()).isEqualTo(fs);
        assertThat(response.header("x-MD5")).isEqualTo(Fleet.md5(fs));
    }

    @Test
    void theRouteAndTheResourceBehindItAnswerAlike() {
        // GET goes through the Vert.x route; HEAD, which it leaves, through the JAX-RS resource.
        Response routed = esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey);
        routed.then().statusCode(200).header("Content-Type", "application/octet-stream").header("Content-Length",
                String.valueOf(routed.asByteArray().length));
        Response resource = esp8266("1.2.3").head("/d/{key}/update", tenant.deviceKey);
        resource.then().statusCode(200);
        for (String header : List.of("Content-Type", "x-MD5", "ETag", "Content-Disposition")) {
            assertThat(resource.header(header)).as(header).isEqualTo(routed.header(header));
        }
        esp8266("2.0.0").get("/d/{key}/update", tenant.deviceKey).then().statusCode(304);
        given().header("x-ESP8266-STA-MAC", "not-a-mac").header("x-ESP8266-mode", "sketch")
                .get("/d/{key}/update", tenant.deviceKey).then().statusCode(400).contentType(startsWith("text/plain"))
                .body(containsString("STA-MAC"));
        given().get("/d/{key}/update", "no-such-key").then().statusCode(403).body(containsString("Unknown"));

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).doesNotContain(tenant.deviceKey).doesNotContain("no-such-key")
                .contains("uri=\"/d/{key}/update\"");
    }

    @Test
    void esp32HeadersWork() {
        Fleet.Tenant esp32 = esp32Tenant();
        given().header("User-Agent", "ESP32-http-Update").header("x-ESP32-STA-MAC", "34:85:18:41:EB:78")
                .header("x-ESP32-AP-MAC", "36:85:18:41:EB:78").header("x-ESP32-free-space", "1310720")
                .header("x-ESP32-sketch-size", "1006448").header("x-ESP32-chip-size", "8388608")
                .header("x-ESP32-sdk-version", "v4.4.5").header("x-ESP32-mode", "sketch")
                .header("x-ESP32-version", "1.5").get("/d/{key}/update", esp32.deviceKey).then().statusCode(200)
                .header("x-MD5", equalTo(Fleet.md5(ESP32_IMAGE)));
    }

    static final byte[] ESP32_IMAGE = Fleet.esp32Image(200_000, 17, 0);

    /** A tenant whose rule offers an ESP32 image, for ESP32 clients (an ESP8266 image is never offered to them). */
    Fleet.Tenant esp32Tenant() {
        Fleet.Tenant esp32 = fleet.tenant("ESP32_BOARD");
        esp32.rule(esp32.release("2.0.0", ESP32_IMAGE, null), "1.0", "1.9.9");
        return esp32;
    }

    @Test
    void esp32WithoutWifiIsIdentifiedByItsBaseMac() throws Exception {
        tenant = esp32Tenant();
        given().header("User-Agent", "ESP32-http-Update").header("x-ESP32-BASE-MAC", "34:85:18:00:00:01")
                .header("x-ESP32-free-space", "1310720").header("x-ESP32-mode", "sketch")
                .header("x-ESP32-version", "1.5").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        fleet.flushActivity();

        assertThat(deviceColumn("34:85:18:00:00:01", "client")).isEqualTo("esp32");
    }

    @Test
    void unknownKeyIsForbidden() {
        esp8266("1.2.3").get("/d/{key}/update", "NoSuchKeyNoSuchKeyNo12").then().statusCode(403);
    }

    @Test
    void blockedDeviceIsForbidden() {
        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        fleet.flushActivity();
        tenant.as(() -> devices.setBlocked(MAC, true));

        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(403);
    }

    @Test
    void blockingADeviceLeavesTheSameMacInAnotherTenantAlone() {
        Fleet.Tenant other = fleet.tenant("SONOFF_BASIC");
        other.rule(other.release("2.0.0", image, null), "1.0", "1.9.9");
        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        esp8266("1.2.3").get("/d/{key}/update", other.deviceKey).then().statusCode(200);
        fleet.flushActivity();

        tenant.as(() -> devices.setBlocked(MAC, true));

        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(403);
        esp8266("1.2.3").get("/d/{key}/update", other.deviceKey).then().statusCode(200);
        assertThat(other.as(() -> devices.find(MAC).orElseThrow().blocked)).isFalse();
    }

    @Test
    void devicesEnrollingWithAKeysDefaultGroupJoinIt() throws Exception {
        var canaries = tenant.group("canaries");
        String key = tenant.as(() -> fleet.deviceKeys().create("canary devices", tenant.product.id, canaries.id))
                .secret();

        esp8266("1.2.3").get("/d/{key}/update", key).then().statusCode(200);
        fleet.flushActivity();

        Eventually.assertThat(java.time.Duration.ofSeconds(5),
                () -> assertThat(snapshots.forTenant(tenant.id.toString()).groupsOf(MAC)).containsExactly(canaries.id));
    }

    @Test
    void getAvailableVersionGets200WithXVersionAndNoBody() {
        Response response = esp8266("1.2.3", "x-ESP8266-mode", "version").get("/d/{key}/update", tenant.deviceKey);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.header("x-version")).isEqualTo("2.0.0");
        assertThat(response.asByteArray()).isEmpty();
    }

    @Test
    void productInThePathMustExist() {
        esp8266("1.2.3").get("/d/{key}/update/{product}", tenant.deviceKey, "SONOFF_BASIC").then().statusCode(200);
        esp8266("1.2.3").get("/d/{key}/update/{product}", tenant.deviceKey, "NO_SUCH").then().statusCode(404);
    }

    @Test
    void checkInRegistersTheDeviceWithEverythingItReported() throws Exception {
        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        fleet.flushActivity();

        Map<String, Object> row = deviceRow(MAC);
        assertThat(row.get("client")).isEqualTo("esp8266");
        assertThat(row.get("chip_id")).isEqualTo(15602487L);
        assertThat(row.get("chip_size")).isEqualTo(4194304L);
        assertThat(row.get("free_space")).isEqualTo(4194304L);
        assertThat(row.get("sketch_size")).isEqualTo(400000L);
        assertThat(row.get("sketch_md5")).isEqualTo("00112233445566778899aabbccddeeff");
        assertThat(row.get("sdk_version")).isEqualTo("2.5.0");
        assertThat(row.get("version")).isEqualTo("1.2.3");
        assertThat(row.get("mode")).isEqualTo("sketch");
        assertThat(row.get("ip")).isEqualTo("127.0.0.1");
        assertThat(row.get("pending_release_id")).isEqualTo(v2.id);
        assertThat(row.get("product_id")).isEqualTo(tenant.product.id);
    }

    @Test
    void eventsRecordOfferDownloadAndInstall() throws Exception {
        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        fleet.flushActivity();
        esp8266("2.0.0", "x-ESP8266-sketch-md5", Fleet.md5(image)).get("/d/{key}/update", tenant.deviceKey).then()
                .statusCode(304);
        fleet.flushActivity();

        assertThat(eventTypes(MAC)).containsExactly("offered", "downloaded", "installed");
        assertThat(deviceRow(MAC).get("pending_release_id")).isNull();
    }

    @Test
    void deviceStillOnTheOldImageAfterTheInstallTimeoutHasFailed() throws Exception {
        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        fleet.flushActivity();
        try (var c = dataSource.getConnection(); var s = c.prepareStatement(
                "update devices set pending_since = now() - interval '1 day' where tenant_id = ? and mac = ?")) {
            s.setString(1, tenant.id.toString());
            s.setString(2, MAC);
            s.execute();
        }

        esp8266("1.2.3").get("/d/{key}/update", tenant.deviceKey).then().statusCode(200);
        fleet.flushActivity();

        assertThat(eventTypes(MAC)).containsExactly("offered", "downloaded", "failed", "offered", "downloaded");
        assertThat(deviceRow(MAC).get("pending_release_id")).isEqualTo(v2.id);
    }

    @Test
    void imageLargerThanFreeSpaceIsWithheldAndRecorded() throws Exception {
        esp8266("1.2.3", "x-ESP8266-free-space", "1000").get("/d/{key}/update", tenant.deviceKey).then()
                .statusCode(304);
        fleet.flushActivity();

        assertThat(eventTypes(MAC)).containsExactly("withheld");
    }

    /** The headers of the captured ESP8266 request; {@code overrides} replace or (null) remove some. */
    static RequestSpecification esp8266(String version, String... overrides) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("User-Agent", "ESP8266-http-Update");
        headers.put("x-ESP8266-Chip-ID", "15602487");
        headers.put("x-ESP8266-STA-MAC", MAC);
        headers.put("x-ESP8266-AP-MAC", MAC);
        headers.put("x-ESP8266-free-space", "4194304");
        headers.put("x-ESP8266-sketch-size", "400000");
        headers.put("x-ESP8266-sketch-md5", "00112233445566778899aabbccddeeff");
        headers.put("x-ESP8266-chip-size", "4194304");
        headers.put("x-ESP8266-sdk-version", "2.5.0");
        headers.put("x-ESP8266-mode", "sketch");
        headers.put("x-ESP8266-version", version);
        for (int i = 0; i < overrides.length; i += 2) {
            headers.put(overrides[i], overrides[i + 1]);
        }
        RequestSpecification request = given();
        headers.forEach((name, value) -> {
            if (value != null) {
                request.header(name, value);
            }
        });
        return request;
    }

    private Object deviceColumn(String mac, String column) throws Exception {
        return deviceRow(mac).get(column);
    }

    private Map<String, Object> deviceRow(String mac) throws Exception {
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("select * from devices where tenant_id = ? and mac = ?")) {
            s.setString(1, tenant.id.toString());
            s.setString(2, mac);
            var rs = s.executeQuery();
            assertThat(rs.next()).as("device " + mac + " is registered").isTrue();
            Map<String, Object> row = new java.util.HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Object value = rs.getObject(i);
                row.put(rs.getMetaData().getColumnName(i), value instanceof String str ? str.trim() : value);
            }
            return row;
        }
    }

    private java.util.List<String> eventTypes(String mac) throws Exception {
        try (var c = dataSource.getConnection(); var s = c
                .prepareStatement("select type from device_events where tenant_id = ? and mac = ? order by at, id")) {
            s.setString(1, tenant.id.toString());
            s.setString(2, mac);
            var rs = s.executeQuery();
            java.util.List<String> types = new java.util.ArrayList<>();
            while (rs.next()) {
                types.add(rs.getString(1));
            }
            return types;
        }
    }
}
