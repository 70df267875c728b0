package dev.firmament.testing;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The management API of a packaged app under test, called with one token (the bootstrap token, usually). */
public final class PackagedAppApi {

    private final int port;
    private final String token;

    public PackagedAppApi(int port, String token) {
        this.port = port;
        this.token = token;
    }

    /** A JSON request to this app with the token. */
    public RequestSpecification api() {
        return given().baseUri("http://127.0.0.1:" + port).auth().oauth2(token).contentType("application/json");
    }

    /** Uploads a firmware-only release of SONOFF_BASIC to {@code releasesPath}; returns its id. */
    public long upload(String releasesPath, String version, byte[] firmware) {
        return given().baseUri("http://127.0.0.1:" + port).auth().oauth2(token).multiPart("product", "SONOFF_BASIC")
                .multiPart("version", version).multiPart("firmware", "fw.bin", firmware, "application/octet-stream")
                .post(releasesPath).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** GETs {@code url} until the JSON satisfies the condition (for at most 30 s). */
    public JsonPath awaitJson(String url, Predicate<JsonPath> condition) throws Exception {
        return Eventually.await(url, Duration.ofSeconds(30),
                () -> new Pretty(api().get(url).then().statusCode(200).extract().jsonPath()),
                json -> condition.test(json.json())).json();
    }

    /** Printed in full when the wait fails. */
    private record Pretty(JsonPath json) {
        @Override
        public String toString() {
            return json.prettify();
        }
    }

    /** A rollout wave: 95 % to advance, 5 % failures to pause, no soak, then {@code fields}. */
    public static Map<String, Object> wave(Map<String, Object> fields) {
        Map<String, Object> wave = new HashMap<>(
                Map.of("successThreshold", 95, "failureThreshold", 5, "soakMinutes", 0));
        wave.putAll(fields);
        return wave;
    }
}
