package dev.firmament.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.release.Release;
import dev.firmament.targeting.RuleService;
import dev.firmament.targeting.VersionCondition;
import dev.firmament.testing.Fleet;

/** NoFUSS: always 200, compact JSON without nulls, and download paths the clients can actually build. */
@QuarkusTest
class NoFussTest {

    static final String MAC = "5C:CF:7F:8B:6B:26";

    @Inject
    Fleet fleet;

    @TestHTTPResource("/")
    java.net.URL root;

    Fleet.Tenant tenant;
    byte[] firmware = Fleet.espImage(120_000, 11);
    byte[] filesystem = Fleet.espImage(64_000, 12);
    Release target;

    @BeforeEach
    void theReadmeExample() {
        // versions.json of the NoFUSS README: TEST devices below 0.1.1 with a build other than 3fe56a4 get 0.1.1.
        tenant = fleet.tenant("TEST");
        target = tenant.release("0.1.1", firmware, null);
        tenant.rule(new RuleService.RuleSpec(tenant.product.id, List.of(MAC), List.of(), null, null,
                List.of(new VersionCondition("<", "0.1.1")), "3fe56a4", target.id, false));
    }

    @Test
    void offersTheTargetAsCompactJsonWithAnEmptySpiffs() {
        Response response = noFuss("0.1.0", "abc1234").get("/d/{key}/nofuss", tenant.deviceKey);

        assertThat(response.statusCode()).isEqualTo(200);
        String body = response.asString();
        assertThat(body).isEqualTo("{\"version\":\"0.1.1\",\"firmware\":\"/dl/" + target.id + "/fw\",\"spiffs\":\"\"}");
        assertThat(body.getBytes()).hasSizeLessThanOrEqualTo(300);
        assertThat(body).doesNotContain("null");
    }

    @Test
    void answersEmptyObjectWhenNothingIsDue() {
        assertThat(noFuss("0.1.1", "abc1234").get("/d/{key}/nofuss", tenant.deviceKey).asString()).isEqualTo("{}");
        assertThat(noFuss("0.1.0", "3fe56a4").get("/d/{key}/nofuss", tenant.deviceKey).asString()).isEqualTo("{}");
        assertThat(noFuss("0.1.0", "").get("/d/{key}/nofuss", tenant.deviceKey).asString()).isEqualTo("{}");
    }

    @Test
    void missingOrMalformedIdentityAndUnknownKeysGetEmptyObjectWith200() {
        given().header("X-ESP8266-DEVICE", "TEST").header("X-ESP8266-VERSION", "0.1.0")
                .get("/d/{key}/nofuss", tenant.deviceKey).then().statusCode(200).body(org.hamcrest.Matchers.is("{}"));
        given().header("X-ESP8266-MAC", "not-a-mac").header("X-ESP8266-DEVICE", "TEST")
                .header("X-ESP8266-VERSION", "0.1.0").get("/d/{key}/nofuss", tenant.deviceKey).then().statusCode(200)
                .body(org.hamcrest.Matchers.is("{}"));
        noFuss("0.1.0", "abc1234").get("/d/{key}/nofuss", "UnknownKeyUnknownKey12").then().statusCode(200)
                .body(org.hamcrest.Matchers.is("{}"));
    }

    @Test
    void offersTheFilesystemImageToo() {
        Release both = tenant.release("0.2.0", Fleet.espImage(100_000, 21), filesystem);
        tenant.rule(both, "0.1.1", "0.1.9");

        String body = noFuss("0.1.1", "abc1234").get("/d/{key}/nofuss", tenant.deviceKey).asString();

        assertThat(body).isEqualTo("{\"version\":\"0.2.0\",\"firmware\":\"/dl/" + both.id + "/fw\",\"spiffs\":\"/dl/"
                + both.id + "/fs\"}");
    }

    @Test
    void legacyPathProtocolAnswersTheSameJson() {
        tenant.rule(target, "0.0.1", "0.1.0");

        String body = given().get("/d/{key}/nofuss/{device}/{version}", tenant.deviceKey, "TEST", "0.1.0").asString();

        assertThat(body).isEqualTo("{\"version\":\"0.1.1\",\"firmware\":\"/dl/" + target.id + "/fw\",\"spiffs\":\"\"}");
    }

    /** 0.2.6+ and 0.4 join server and path with "/", and the README recommends a trailing slash on the server. */
    @Test
    void downloadPathsResolveAsClientsBuildThem() {
        String path = "/dl/" + target.id + "/fw";
        String base = "/d/" + tenant.deviceKey + "/nofuss";
        for (String url : List.of(base + path, base + "/" + path, base + "//" + path)) {
            Response response = esp8266Download().urlEncodingEnabled(false).get(url);
            assertThat(response.statusCode()).as(url).isEqualTo(200);
            assertThat(response.asByteArray()).as(url).isEqualTo(firmware);
            assertThat(response.header("x-MD5")).isEqualTo(Fleet.md5(firmware));
        }
    }

    @Test
    void checkOnABaseUrlWithATrailingSlashWorks() {
        noFuss("0.1.0", "abc1234").urlEncodingEnabled(false).get("/d/" + tenant.deviceKey + "/nofuss/").then()
                .statusCode(200).body(org.hamcrest.Matchers.containsString("0.1.1"));
    }

    /** NoFUSS 0.1-0.3 build URLs in char url[100]; keys and release ids are sized for that. */
    @Test
    void wholeDownloadUrlStaysUnder100CharactersForATypicalHost() {
        String server = "http://updates.example.com:8080/d/" + tenant.deviceKey + "/nofuss";
        String firmwarePath = "/dl/" + 9_999_999 + "/fw";

        assertThat((server + "/" + firmwarePath).length()).isLessThan(100);
    }

    @Test
    void rangeAndHeadAreSupported() {
        String url = "/d/" + tenant.deviceKey + "/dl/" + target.id + "/fw";
        Response range = given().header("Range", "bytes=100-199").get(url);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.header("Content-Range")).isEqualTo("bytes 100-199/" + firmware.length);
        assertThat(range.asByteArray()).isEqualTo(java.util.Arrays.copyOfRange(firmware, 100, 200));

        Response suffix = given().header("Range", "bytes=-10").get(url);
        assertThat(suffix.asByteArray())
                .isEqualTo(java.util.Arrays.copyOfRange(firmware, firmware.length - 10, firmware.length));

        given().header("Range", "bytes=999999-").get(url).then().statusCode(416).header("Content-Range",
                "bytes */" + firmware.length);

        Response head = given().head(url);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(firmware.length));
        assertThat(head.header("x-MD5")).isEqualTo(Fleet.md5(firmware));
        assertThat(head.asByteArray()).isEmpty();
    }

    @Test
    void anotherTenantsKeyCannotDownloadTheImage() {
        Fleet.Tenant other = fleet.tenant("TEST");

        given().get("/d/{key}/dl/{id}/fw", other.deviceKey, target.id).then().statusCode(404);
        given().get("/d/{key}/dl/{id}/fw", "UnknownKeyUnknownKey12", target.id).then().statusCode(403);
    }

    private static RequestSpecification noFuss(String version, String build) {
        return given().header("User-Agent", "NoFussClient").header("X-ESP8266-MAC", MAC)
                .header("X-ESP8266-DEVICE", "TEST").header("X-ESP8266-VERSION", version)
                .header("X-ESP8266-BUILD", build).header("X-ESP8266-CHIPID", "15602487")
                .header("X-ESP8266-CHIPSIZE", "4194304");
    }

    private static RequestSpecification esp8266Download() {
        return given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", MAC)
                .header("x-ESP8266-free-space", "4194304").header("x-ESP8266-mode", "sketch");
    }
}
