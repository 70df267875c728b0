package dev.firmament.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.firmament.testing.Fleet;
import dev.firmament.testing.SmtpReceiver;

/** With a mail server configured, invitation and password-reset links reach the person by mail, and work. */
@QuarkusTest
@TestProfile(AccountMailTest.WithAMailServer.class)
class AccountMailTest {

    /** A real SMTP server on loopback, configured as the application's mail server. */
    public static class WithAMailServer implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SmtpReceiver.class));
        }
    }

    private static final Pattern LINK = Pattern.compile("https?://\\S+/console/invitations/[A-Za-z0-9]{40}");

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Test
    void aNewMembersInvitationIsMailedAndTheMailedLinkWorks() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String owner = tenant.as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
        String person = "mailed-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";

        String shown = given().auth().oauth2(owner).contentType("application/json")
                .body(Map.of("email", person, "role", "maintainer")).post("/api/v1/tenants/{t}/members", slug).then()
                .statusCode(201).extract().path("invitationUrl");
        SmtpReceiver.Message mail = SmtpReceiver.await(person, m -> m.data().contains("invited"));
        assertThat(mail.data()).contains("Subject: You are invited to " + slug)
                .contains("From: firmament@test.example");
        String mailed = link(mail);
        assertThat(mailed).isEqualTo(shown);

        given().redirects().follow(false).formParam("password", "chosen from the mail")
                .post(mailed.replaceFirst("^https?://[^/]+", "")).then().statusCode(303);
        given().auth().preemptive().basic(person, "chosen from the mail").get("/api/v1/tenants/{t}/members", slug)
                .then().statusCode(200);
    }

    @Test
    void aPasswordResetIsMailedToThePersonOnly() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String owner = tenant.as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
        String person = "reset-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        given().auth().oauth2(owner).contentType("application/json").body(Map.of("email", person, "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", fleet.slugOf(tenant.id)).then().statusCode(201);

        String shown = given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                .body(Map.of("email", person)).post("/api/v1/password-resets").then().statusCode(201).extract()
                .path("resetUrl");
        SmtpReceiver.Message mail = SmtpReceiver.await(person, m -> m.data().contains("Reset your Firmament password"));
        assertThat(link(mail)).isEqualTo(shown);
    }

    @Test
    void resetsIssuedAtTheSameTimeEachReachTheirOwnPerson() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String owner = tenant.as(() -> tokens.create("owner", Role.OWNER, null, "test").secret());
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> people = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> "many-" + i + "-" + run + "@example.com").toList();
        for (String person : people) {
            given().auth().oauth2(owner).contentType("application/json").body(Map.of("email", person, "role", "viewer"))
                    .post("/api/v1/tenants/{t}/members", fleet.slugOf(tenant.id)).then().statusCode(201);
        }
        Map<String, String> shown = new java.util.concurrent.ConcurrentHashMap<>();
        people.parallelStream()
                .forEach(person -> shown.put(person,
                        given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                                .body(Map.of("email", person)).post("/api/v1/password-resets").then().statusCode(201)
                                .extract().path("resetUrl")));
        for (String person : people) {
            SmtpReceiver.Message mail = SmtpReceiver.await(person,
                    m -> m.data().contains("Reset your Firmament password"));
            assertThat(link(mail)).as("the link mailed to %s", person).isEqualTo(shown.get(person));
        }
    }

    private static String link(SmtpReceiver.Message mail) {
        Matcher matcher = LINK.matcher(mail.data());
        assertThat(matcher.find()).as("a link in %s", mail.data()).isTrue();
        return matcher.group();
    }
}
