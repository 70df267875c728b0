package dev.firmament.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Many failures from one client address throttle that address for every account, and behind a trusted proxy the address
 * is the forwarded one: another client behind the same proxy is not held back.
 */
@QuarkusTest
@TestProfile(SignInThrottleByAddressTest.BehindAProxy.class)
class SignInThrottleByAddressTest {

    /** Firmament behind a reverse proxy on loopback, trusted to say who the client is; three failures per address. */
    public static class BehindAProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true", "quarkus.http.proxy.allow-x-forwarded",
                    "true", "quarkus.http.proxy.trusted-proxies", "127.0.0.1",
                    "firmament.accounts.max-failures-per-address", "3");
        }
    }

    @Test
    void oneAddressSprayingManyAccountsIsThrottledAndOthersAreNot() {
        String sprayer = "198.51.100." + (1 + (int) (Math.random() * 200));
        for (int i = 0; i < 3; i++) {
            String account = "sprayed-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
            assertThat(signIn(sprayer, account).statusCode()).isEqualTo(401);
        }
        Response throttled = signIn(sprayer, "yet-another@example.com");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isEqualTo("30");
        assertThat(signIn("203.0.113.7", "yet-another@example.com").statusCode())
                .as("another client behind the same proxy").isEqualTo(401);
    }

    static Response signIn(String clientAddress, String email) {
        return given().header("X-Forwarded-For", clientAddress).auth().preemptive().basic(email, "a wrong password")
                .get("/api/v1/tenants");
    }
}
