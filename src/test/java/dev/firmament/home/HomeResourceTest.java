package dev.firmament.home;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HomeResourceTest {

    @Test
    void rootPageSaysWhatIsRunningAndLinksOn() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("Firmament is running")).body(containsString("/q/health/ready"))
                .body(containsString("filesystem."));
    }

    @Test
    void theGuidesAreServedAsTheRunningVersionHasThem() throws Exception {
        for (String guide : DocsResource.GUIDES) {
            String served = given().get("/docs/" + guide).then().statusCode(200)
                    .contentType(containsString("text/plain")).extract().asString();
            org.assertj.core.api.Assertions.assertThat(served)
                    .isEqualTo(java.nio.file.Files.readString(java.nio.file.Path.of("docs", guide)));
        }
    }

    @Test
    void nothingElseIsReachableThroughTheGuides() {
        for (String path : new String[] { "/docs/application.properties", "/docs/..%2Fapplication.properties",
                "/docs/README.md", "/docs/console" }) {
            given().get(path).then().statusCode(404);
        }
    }
}
