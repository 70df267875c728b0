package dev.firmament.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;

/** The shape every refusal of the management API has. */
public final class Problems {

    private Problems() {
    }

    /** A problem+json answer with this status and code, and nothing of the server's insides in it. */
    public static void assertProblem(Response response, int status, String code) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("code")).isEqualTo(code);
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("dev.firmament");
    }
}
