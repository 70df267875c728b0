package dev.firmament.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.testing.Fleet;

/** Malformed device requests get the protocol's own error (never a 500) and never register a device. */
@QuarkusTest
class DeviceBadInputTest {

    @Inject
    Fleet fleet;

    @Inject
    AgroalDataSource dataSource;

    Fleet.Tenant tenant;

    @BeforeEach
    void tenantWithAnOffer() {
        tenant = fleet.tenant("SONOFF_BASIC");
        tenant.rule(tenant.release("2.0.0", Fleet.espImage(10_000, 1), null), null, null);
    }

    static Stream<Arguments> malformedHeaderRequests() {
        String longValue = "9".repeat(8 * 1024);
        return Stream.of(Arguments.of("no identity headers at all", new String[] {}),
                Arguments.of("missing MAC", new String[] { "x-ESP8266-STA-MAC", null }),
                Arguments.of("malformed MAC", new String[] { "x-ESP8266-STA-MAC", "DE:BA:7A:B1:E0" }),
                Arguments.of("MAC with garbage", new String[] { "x-ESP8266-STA-MAC", "DE:BA:7A:B1:E0:4Z" }),
                Arguments.of("broadcast MAC", new String[] { "x-ESP8266-STA-MAC", "FF:FF:FF:FF:FF:FF" }),
                Arguments.of("non-numeric free space", new String[] { "x-ESP8266-free-space", "lots" }),
                Arguments.of("negative sketch size", new String[] { "x-ESP8266-sketch-size", "-1" }),
                Arguments.of("absurd chip size", new String[] { "x-ESP8266-chip-size", "99999999999999999999" }),
                Arguments.of("8 KB version", new String[] { "x-ESP8266-version", longValue }),
                Arguments.of("8 KB SDK version", new String[] { "x-ESP8266-sdk-version", longValue }),
                Arguments.of("unknown mode", new String[] { "x-ESP8266-mode", "firmware" }),
                Arguments.of("sketch MD5 not hex", new String[] { "x-ESP8266-sketch-md5", "z".repeat(32) }),
                Arguments.of("sketch MD5 too short", new String[] { "x-ESP8266-sketch-md5", "0011" }),
                Arguments.of("non-ASCII version", new String[] { "x-ESP8266-version", "1.0\u00e9" }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaderRequests")
    void headerProtocolAnswers400AndRecordsNothing(String description, String[] overrides) throws Exception {
        var request = overrides.length == 0 ? given().header("User-Agent", "ESP8266-http-Update")
                : EspHttpUpdateTest.esp8266("1.0", overrides);

        Response response = request.get("/d/{key}/update", tenant.deviceKey);

        assertThat(response.statusCode()).as(description).isEqualTo(400);
        assertThat(response.contentType()).startsWith("text/plain");
        assertNoDeviceRecorded();
    }

    @Test
    void unknownAndMalformedKeysAre403() throws Exception {
        for (String key : new String[] { "short", "NoSuchKeyNoSuchKeyNo12", "x".repeat(200), "%00%00" }) {
            Response response = EspHttpUpdateTest.esp8266("1.0").urlEncodingEnabled(false).get("/d/" + key + "/update");
            assertThat(response.statusCode()).as(key).isEqualTo(403);
        }
        assertNoDeviceRecorded();
    }

    @Test
    void oversizedHeadersAreRefusedBeforeReachingTheApplication() throws Exception {
        Response response = EspHttpUpdateTest.esp8266("1.0", "x-ESP8266-version", "9".repeat(20 * 1024))
                .get("/d/{key}/update", tenant.deviceKey);

        assertThat(response.statusCode()).isBetween(400, 499);
        assertNoDeviceRecorded();
    }

    @Test
    void noFussMalformedRequestsGetEmptyObjectsAndRecordNothing() throws Exception {
        String[][] cases = { { "DE:BA:7A:B1:E0", "SONOFF_BASIC", "1.0" }, { "DE:BA:7A:B1:E0:42", "", "1.0" },
                { "DE:BA:7A:B1:E0:42", "SONOFF_BASIC", "9".repeat(8 * 1024) },
                { "DE:BA:7A:B1:E0:42", "NOT_A_PRODUCT", "1.0" } };
        for (String[] c : cases) {
            given().header("X-ESP8266-MAC", c[0]).header("X-ESP8266-DEVICE", c[1]).header("X-ESP8266-VERSION", c[2])
                    .get("/d/{key}/nofuss", tenant.deviceKey).then().statusCode(200)
                    .body(org.hamcrest.Matchers.is("{}"));
        }
        assertNoDeviceRecorded();
    }

    @Test
    void unknownImageKindsAndReleasesAre404() {
        given().get("/d/{key}/dl/{release}/{kind}", tenant.deviceKey, "1", "exe").then().statusCode(404);
        given().get("/d/{key}/dl/{release}/{kind}", tenant.deviceKey, "abc", "fw").then().statusCode(404);
        given().get("/d/{key}/dl/{release}/{kind}", tenant.deviceKey, "99999999999999999999", "fw").then()
                .statusCode(404);
    }

    private void assertNoDeviceRecorded() throws Exception {
        fleet.flushActivity();
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("select count(*) from devices where tenant_id = ?")) {
            s.setString(1, tenant.id.toString());
            var rs = s.executeQuery();
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
