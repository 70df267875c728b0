package dev.firmament.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** What operators and their tooling rely on: health, metrics and the API description. */
@QuarkusTest
class OperationsEndpointsTest {

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessIsAboutServingDevicesAndTheDependenciesHaveTheirOwnGroup() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body("checks.name",
                hasItems("serving-devices"));
        given().get("/q/health/group/dependencies").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("artifact-store", "database"));
        given().get("/q/health/group/activity").then().statusCode(200).body("checks.name", hasItems("device-activity"));
    }

    @Test
    void anonymousCallersLearnNoPathHostOrBucket() {
        for (String path : new String[] { "/q/health", "/q/health/ready", "/q/health/live",
                "/q/health/group/dependencies", "/q/health/group/activity", "/" }) {
            String body = given().get(path).asString();
            // The test store lives under target/test-data/run-*/artifacts; the database on a loopback port.
            assertThat(body).as(path).doesNotContain("test-data").doesNotContain("/artifacts").doesNotContain("jdbc:")
                    .doesNotContain("127.0.0.1");
        }
        given().get("/q/health/group/dependencies").then()
                .body("checks.find { it.name == 'artifact-store' }.data.store", equalTo("filesystem"));
        // Platform administrators get the details.
        given().auth().oauth2("test-bootstrap-token-0123456789").get("/api/v1/platform/health").then().statusCode(200)
                .body("database.up", equalTo(true)).body("artifactStore.up", equalTo(true))
                .body("artifactStore.description", containsString("artifacts"));
        given().get("/api/v1/platform/health").then().statusCode(401);
    }

    @Test
    void metricsAreExposedForPrometheus() {
        given().accept("text/plain").get("/q/metrics").then().statusCode(200).contentType(containsString("text/plain"))
                .body(containsString("# TYPE jvm_memory_used_bytes gauge")).body(containsString("process_cpu_usage"));
    }

    @Test
    void openApiDescribesTheService() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200).body("info.title",
                equalTo("Firmament API"));
    }

    @Test
    void openApiHasTheApiAndTheDeviceEndpointsOnlyNeverTheConsoleOrTheGuides() {
        java.util.Map<String, Object> paths = given().accept("application/json").get("/q/openapi").jsonPath()
                .getMap("paths");
        org.assertj.core.api.Assertions.assertThat(paths.keySet()).isNotEmpty()
                .noneMatch(path -> path.startsWith("/console") || path.startsWith("/docs") || path.equals("/"))
                .anyMatch(path -> path.startsWith("/api/v1/tenants/{tenant}/"));
    }
}
