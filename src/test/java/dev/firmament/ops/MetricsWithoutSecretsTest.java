package dev.firmament.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;

/**
 * No device key, tenant slug or id reaches {@code /q/metrics}, whatever a client sends, and requests that match no
 * route add no series.
 */
@QuarkusTest
class MetricsWithoutSecretsTest {

    private static final Pattern URI_LABEL = Pattern
            .compile("http_server_requests_seconds_count\\{[^}]*uri=\"([^\"]*)\"");

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Test
    void noKeySlugOrIdIsEverALabel() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String token = tenant.as(() -> tokens.create("metrics", Role.VIEWER, null, "test").secret());
        String key = tenant.deviceKey;

        given().auth().oauth2(token).get("/api/v1/tenants/{t}/members", slug).then().statusCode(200);
        given().header("x-ESP8266-STA-MAC", "AA:BB:CC:00:00:01").header("x-ESP8266-version", "1.0")
                .get("/d/" + key + "/nofuss");
        given().get("/d/" + key + "/nofuss/extra").then().statusCode(404);
        given().header("X-Filler", "x".repeat(20_000)).get("/d/" + key + "/nofuss").then().statusCode(431);
        given().get("/console/" + slug + "/no-such-page").then().statusCode(404);
        given().get("/api/v1/tenants/" + slug + "/devices/" + UUID.randomUUID() + "/nothing").then().statusCode(404);
        given().get("/assets/" + slug + ".css").then().statusCode(404);

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).doesNotContain(key).doesNotContain(slug);
        List<String> uris = uriLabels(metrics);
        assertThat(uris).contains("/api/v1/tenants/{tenant}/members", MetricsWithoutSecrets.UNMATCHED);
        assertThat(uris).allSatisfy(uri -> assertThat(uri).matches("[A-Za-z_]+|/|/static|(/[a-z0-9.-]*|/\\{[a-z]+})+"));
    }

    @Inject
    jakarta.enterprise.inject.spi.BeanManager beans;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.micrometer.binder.http-server.match-patterns")
    List<String> matchPatterns;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.micrometer.binder.http-server.max-uri-tags")
    int maxUriTags;

    /** Past Micrometer's cap, the series of further routes are dropped without a word (one WARN). */
    @Test
    void everyRouteTemplateFitsUnderMicrometersUriCap() {
        int labels = MetricsWithoutSecrets.templates(beans, matchPatterns).size() + 10; // + the constants and UNMATCHED
        assertThat(labels).isLessThan(maxUriTags);
    }

    @Test
    void pathsThatMatchNoRouteAddNoSeries() {
        given().get("/nothing-here/" + UUID.randomUUID()).then().statusCode(404);
        long before = uriLabels(given().get("/q/metrics").asString()).size();
        for (int i = 0; i < 20; i++) {
            given().get("/nothing-here/" + UUID.randomUUID()).then().statusCode(404);
            given().get("/d/" + UUID.randomUUID() + "/nofuss/" + i).then().statusCode(404);
        }
        assertThat(uriLabels(given().get("/q/metrics").asString())).hasSize((int) before);
    }

    private static List<String> uriLabels(String metrics) {
        Matcher matcher = URI_LABEL.matcher(metrics);
        List<String> uris = new java.util.ArrayList<>();
        while (matcher.find()) {
            uris.add(matcher.group(1));
        }
        return uris;
    }
}
