package dev.firmament.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.testing.Fleet;
import dev.firmament.testing.MovableClock;

/**
 * Password guessing is throttled on both doors with one shared count: after five failures for an account, even the
 * right password waits, with a delay that doubles, and no password is checked meanwhile. Time is moved, not waited for.
 */
@QuarkusTest
class SignInThrottleTest {

    static final String PASSWORD = "the right password";

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    LocalAccounts accounts;

    @Inject
    SignInThrottle throttle;

    @Inject
    MovableClock clock;

    @Inject
    EntityManager entityManager;

    /** The tenant of the latest {@link #person()}, whose members they may list once signed in. */
    String slug;

    String person() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        slug = fleet.slugOf(tenant.id);
        String email = "guessed-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        tenant.as(() -> members.add(email, Role.VIEWER));
        accounts.setPassword(email, PASSWORD);
        return email;
    }

    @Test
    void fiveFailuresOnEitherDoorMakeBothWaitEvenWithTheRightPassword() {
        String email = person();
        for (int i = 0; i < 3; i++) {
            assertThat(consoleSignIn(email, "wrong guess " + i).statusCode()).isEqualTo(401);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(apiSignIn(email, "wrong guess api " + i).statusCode()).isEqualTo(401);
        }

        Response api = apiSignIn(email, PASSWORD);
        assertThat(api.statusCode()).isEqualTo(429);
        assertThat(api.header("Retry-After")).isEqualTo("30");
        assertThat(api.contentType()).startsWith("application/problem+json");
        assertThat(api.jsonPath().getString("code")).isEqualTo("sign-in-throttled");
        Response console = consoleSignIn(email, PASSWORD);
        assertThat(console.statusCode()).isEqualTo(429);
        assertThat(console.asString()).contains("Too many failed sign-ins").contains("Try again in 30 seconds")
                .contains("value=\"" + email + "\"");
        assertThat(console.getCookie(ConsoleAuthentication.COOKIE)).isNull();
        assertThat(failuresOf(email)).as("refused unchecked: throttled attempts are not even counted").isEqualTo(5);
        assertThat(lockEvents(email)).as("one platform audit event for the lockout").isEqualTo(1);

        clock.advance(Duration.ofSeconds(31));
        assertThat(apiSignIn(email, "one more wrong guess").statusCode()).isEqualTo(401);
        assertThat(apiSignIn(email, PASSWORD).header("Retry-After")).as("the wait doubles").isEqualTo("60");

        clock.advance(Duration.ofSeconds(61));
        assertThat(apiSignIn(email, PASSWORD).statusCode()).isEqualTo(200);
        assertThat(failuresOf(email)).as("a correct password ends the count").isZero();
        assertThat(apiSignIn(email, "wrong again").statusCode()).isEqualTo(401);
        assertThat(apiSignIn(email, PASSWORD).statusCode()).isEqualTo(200);

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).contains("firmament_sign_in_failures_total{door=\"console\"")
                .contains("firmament_sign_in_throttled_total{door=\"api\"");
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        String email = person();
        for (int i = 0; i < 4; i++) {
            apiSignIn(email, "slow guess " + i);
        }
        clock.advance(Duration.ofMinutes(16));
        assertThat(apiSignIn(email, "a guess after the window").statusCode()).isEqualTo(401);
        assertThat(apiSignIn(email, PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPeopleAreThrottledLikeKnownOnes() {
        String nobody = "nobody-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        for (int i = 0; i < 5; i++) {
            assertThat(apiSignIn(nobody, "guess " + i).statusCode()).isEqualTo(401);
        }
        assertThat(apiSignIn(nobody, "guess 6").statusCode()).isEqualTo(429);
    }

    @Test
    void theDelayDoublesUpToItsCap() {
        assertThat(throttle.delay(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(throttle.delay(1)).isEqualTo(Duration.ofSeconds(60));
        assertThat(throttle.delay(4)).isEqualTo(Duration.ofMinutes(8));
        assertThat(throttle.delay(5)).isEqualTo(Duration.ofMinutes(15));
        assertThat(throttle.delay(500)).isEqualTo(Duration.ofMinutes(15));
    }

    static Response consoleSignIn(String email, String password) {
        return given().redirects().follow(false).formParam("email", email).formParam("password", password)
                .post("/console/login");
    }

    Response apiSignIn(String email, String password) {
        return given().auth().preemptive().basic(email, password).get("/api/v1/tenants/{t}/members",
                slug == null ? "none" : slug);
    }

    @Transactional
    int failuresOf(String email) {
        return ((java.util.stream.Stream<?>) entityManager
                .createNativeQuery("select failures from sign_in_failures where subject = ?1")
                .setParameter(1, "account:" + email).getResultStream()).findFirst().map(n -> ((Number) n).intValue())
                        .orElse(0);
    }

    @Transactional
    long lockEvents(String email) {
        return ((Number) entityManager
                .createNativeQuery("select count(*) from audit_events where tenant_id = ?1"
                        + " and action = 'account.locked' and target_id = ?2")
                .setParameter(1, dev.firmament.tenant.TenantContext.NO_TENANT.toString()).setParameter(2, email)
                .getSingleResult()).longValue();
    }
}
