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
}
