package dev.firmament.ops;

import static io.restassured.RestAssured.given;
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
    void readinessChecksTheDatabaseAndTheArtifactStore() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body("checks.name",
                hasItems("artifact-store", "Database connections health check"));
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
}
