package dev.firmament.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.testing.ConsoleLogin;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.MovableClock;

/**
 * Adding a person never hands out, sets or resets anybody's credentials: an owner of one tenant who adds the e-mail of
 * somebody in another tenant gets a membership and nothing else. Only a person the addition created gets a one-time
 * invitation link, which works once, expires, and dies with the membership.
 */
@QuarkusTest
class AccountTakeoverTest {

    static final String PASSWORD = "the victim's own password";
    static final String ATTACKER_PASSWORD = "the attacker's password";

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    LocalAccounts accounts;

    @Inject
    ApiTokenService tokens;

    @Inject
    MovableClock clock;

    @Inject
    EntityManager entityManager;

    /** Tenant A, owned by the attacker (signed into the console); tenant B with its owner, the victim. */
    record Scene(Fleet.Tenant a, String slugA, ConsoleLogin attacker, String attackerToken, Fleet.Tenant b,
            String slugB, String victim) {
    }

    Scene scene() {
        Fleet.Tenant a = fleet.tenant("SONOFF_BASIC");
        Fleet.Tenant b = fleet.tenant("SONOFF_BASIC");
        String attacker = unique("attacker");
        String victim = unique("victim");
        a.as(() -> members.add(attacker, Role.OWNER));
        accounts.setPassword(attacker, ATTACKER_PASSWORD);
        b.as(() -> members.add(victim, Role.OWNER));
        accounts.setPassword(victim, PASSWORD);
        String slugA = fleet.slugOf(a.id);
        String token = a.as(() -> tokens.create("attacker", Role.OWNER, null, attacker).secret());
        return new Scene(a, slugA, ConsoleLogin.signIn(attacker, ATTACKER_PASSWORD, "/console/" + slugA + "/settings"),
                token, b, fleet.slugOf(b.id), victim);
    }

    @Test
    void anOwnerWhoAddsAnotherTenantsOwnerInTheConsoleGetsNoCredential() {
        Scene scene = scene();
        Response added = scene.attacker().post("/console/" + scene.slugA() + "/settings/members", "email",
                scene.victim(), "role", "viewer");
        assertThat(added.statusCode()).as("a redirect back to settings, no page with a secret").isEqualTo(303);
        assertThat(added.asString()).doesNotContain("invitation").doesNotContain("password");
        String settings = scene.attacker().get("/console/" + scene.slugA() + "/settings").asString();
        assertThat(settings).contains(scene.victim()).doesNotContain("/console/invitations/");

        assertVictimUntouched(scene);
    }

    @Test
    void anOwnerWhoAddsAnotherTenantsOwnerThroughTheApiGetsNoCredential() {
        Scene scene = scene();
        Response added = given().auth().oauth2(scene.attackerToken()).contentType("application/json")
                .body(Map.of("email", scene.victim().toUpperCase(), "role", "owner"))
                .post("/api/v1/tenants/{t}/members", scene.slugA());
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(added.jsonPath().getString("invitationUrl")).isNull();
        assertThat(added.asString()).doesNotContainIgnoringCase("password");

        assertVictimUntouched(scene);
    }

    @Test
    void peopleWithoutALocalPasswordAreNotExposedEither() {
        Scene scene = scene();
        // Added through the API elsewhere and never signed in; known only through single sign-on.
        String apiCreated = unique("api-created");
        String oidcPerson = unique("oidc");
        scene.b().as(() -> members.add(apiCreated, Role.MAINTAINER));
        scene.b().as(() -> members.add(oidcPerson, Role.OWNER));
        for (String person : new String[] { apiCreated, oidcPerson }) {
            Response console = scene.attacker().post("/console/" + scene.slugA() + "/settings/members", "email", person,
                    "role", "viewer");
            assertThat(console.statusCode()).as(person).isEqualTo(303);
            assertThat(console.asString()).doesNotContain("/console/invitations/");
            assertThat(passwordHashOf(person)).as("%s still has no password", person).isNull();
        }
        assertThat(linksOf(apiCreated)).as("only B's own invitation, handed to B's owner").isEqualTo(1);
    }

    @Test
    void aPersonRemovedAndAddedAgainGetsNoNewLinkAndTheOldOneDies() {
        Scene scene = scene();
        String newcomer = unique("newcomer");
        Response first = given().auth().oauth2(scene.attackerToken()).contentType("application/json")
                .body(Map.of("email", newcomer, "role", "maintainer"))
                .post("/api/v1/tenants/{t}/members", scene.slugA());
        String link = first.jsonPath().getString("invitationUrl");
        assertThat(link).contains("/console/invitations/");
        assertThat(given().get(path(link)).statusCode()).isEqualTo(200);

        given().auth().oauth2(scene.attackerToken())
                .delete("/api/v1/tenants/{t}/members/{id}", scene.slugA(), first.jsonPath().getString("id")).then()
                .statusCode(204);
        assertThat(given().get(path(link)).statusCode()).as("dead with the membership").isEqualTo(404);
        assertThat(given().formParam("password", ATTACKER_PASSWORD).post(path(link)).statusCode()).isEqualTo(404);

        Response again = given().auth().oauth2(scene.attackerToken()).contentType("application/json")
                .body(Map.of("email", newcomer, "role", "maintainer"))
                .post("/api/v1/tenants/{t}/members", scene.slugA());
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.jsonPath().getString("invitationUrl")).as("the person exists now").isNull();
        assertThat(passwordHashOf(newcomer)).isNull();
    }

    @Test
    void anInvitationLetsTheNewPersonChooseTheirPasswordOnce() {
        Scene scene = scene();
        String newcomer = unique("invited");
        Response page = scene.attacker().post("/console/" + scene.slugA() + "/settings/members", "email", newcomer,
                "role", "maintainer");
        assertThat(page.statusCode()).isEqualTo(200);
        String link = between(page.asString(), "data-testid=\"invitation-url\">", "<");
        assertThat(link).matches("http://[^/]+/console/invitations/[A-Za-z0-9]{40}");

        String form = given().get(path(link)).then().statusCode(200).extract().asString();
        assertThat(form).contains(newcomer).contains("name=\"password\"");
        Response tooShort = given().redirects().follow(false).formParam("password", "short").post(path(link));
        assertThat(tooShort.statusCode()).isEqualTo(400);
        assertThat(tooShort.asString()).contains("12 to 72 characters");

        Response accepted = given().redirects().follow(false).formParam("password", "my very own password")
                .post(path(link));
        assertThat(accepted.statusCode()).isEqualTo(303);
        assertThat(accepted.getCookie(ConsoleAuthentication.COOKIE)).as("signed in").isNotBlank();
        ConsoleLogin session = ConsoleLogin.fromCookie(accepted.getCookie(ConsoleAuthentication.COOKIE),
                "/console/" + scene.slugA());
        assertThat(session.get("/console/" + scene.slugA()).asString()).contains(newcomer + " · maintainer");

        assertThat(given().get(path(link)).statusCode()).as("used up").isEqualTo(404);
        Response reused = given().redirects().follow(false).formParam("password", ATTACKER_PASSWORD).post(path(link));
        assertThat(reused.statusCode()).isEqualTo(404);
        assertThat(accounts.signIn(newcomer, "my very own password", "127.0.0.9", "api"))
                .isInstanceOf(LocalAccounts.Accepted.class);
        assertThat(accounts.signIn(newcomer, ATTACKER_PASSWORD, "127.0.0.9", "api"))
                .isInstanceOf(LocalAccounts.Refused.class);
    }

    @Test
    void anInvitationExpires() {
        Scene scene = scene();
        String link = given().auth().oauth2(scene.attackerToken()).contentType("application/json")
                .body(Map.of("email", unique("late"), "role", "viewer"))
                .post("/api/v1/tenants/{t}/members", scene.slugA()).then().statusCode(201).extract()
                .path("invitationUrl");
        clock.advance(Duration.ofHours(71));
        assertThat(given().get(path(link)).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofHours(2));
        assertThat(given().get(path(link)).statusCode()).isEqualTo(404);
        assertThat(given().formParam("password", "too late a password").post(path(link)).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedAndMadeUpLinksAreNotFound() {
        for (String token : new String[] { "x", "A".repeat(40), "A".repeat(39) + "%00", "A".repeat(500) }) {
            assertThat(given().get("/console/invitations/" + token).statusCode()).as(token).isEqualTo(404);
        }
    }

    @Test
    void aPlatformAdministratorIssuesPasswordResetLinksNobodyElse() {
        Scene scene = scene();
        given().auth().oauth2(scene.attackerToken()).contentType("application/json")
                .body(Map.of("email", scene.victim())).post("/api/v1/password-resets").then().statusCode(403);
        given().auth().preemptive().basic(scene.victim(), PASSWORD).contentType("application/json")
                .body(Map.of("email", scene.victim())).post("/api/v1/password-resets").then().statusCode(403);

        Response reset = given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                .body(Map.of("email", scene.victim())).post("/api/v1/password-resets");
        assertThat(reset.statusCode()).isEqualTo(201);
        String link = reset.jsonPath().getString("resetUrl");
        assertThat(given().get(path(link)).asString()).contains("Reset your password").contains(scene.victim());
        given().redirects().follow(false).formParam("password", "a brand new password").post(path(link)).then()
                .statusCode(303);
        assertThat(accounts.signIn(scene.victim(), "a brand new password", "127.0.0.9", "api"))
                .isInstanceOf(LocalAccounts.Accepted.class);
        given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                .body(Map.of("email", unique("nobody"))).post("/api/v1/password-resets").then().statusCode(404);
    }

    @Test
    void aPasswordSomebodyElseChoseMustBeChangedFirst() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String person = unique("generated");
        tenant.as(() -> members.add(person, Role.OWNER));
        accounts.setPassword(person, "a generated password");
        mustChange(person);

        given().auth().preemptive().basic(person, "a generated password").get("/api/v1/tenants/{t}/members", slug)
                .then().statusCode(403).body("code", org.hamcrest.Matchers.equalTo("password-change-required"));
        Response login = given().redirects().follow(false).formParam("email", person)
                .formParam("password", "a generated password").formParam("next", "/console/" + slug)
                .post("/console/login");
        assertThat(login.header("Location")).endsWith("/console/account");
        ConsoleLogin session = ConsoleLogin.fromCookie(login.getCookie(ConsoleAuthentication.COOKIE),
                "/console/account");
        Response elsewhere = session.get("/console/" + slug + "/devices");
        assertThat(elsewhere.statusCode()).isEqualTo(303);
        assertThat(elsewhere.header("Location")).endsWith("/console/account");
        assertThat(session.get("/console/account").asString()).contains("Choose your own before you go on");

        Response changed = session.post("/console/account/password", "current", "a generated password", "password",
                "now my own password");
        assertThat(changed.statusCode()).isEqualTo(303);
        ConsoleLogin renewed = ConsoleLogin.fromCookie(changed.getCookie(ConsoleAuthentication.COOKIE),
                "/console/" + slug);
        assertThat(renewed.get("/console/" + slug + "/devices").statusCode()).isEqualTo(200);
        given().auth().preemptive().basic(person, "now my own password").get("/api/v1/tenants/{t}/members", slug).then()
                .statusCode(200);
    }

    private void assertVictimUntouched(Scene scene) {
        // The victim's password is theirs alone and still works; nothing the attacker saw signs anybody in as them.
        given().auth().preemptive().basic(scene.victim(), PASSWORD).get("/api/v1/tenants/{t}/members", scene.slugB())
                .then().statusCode(200);
        assertThat(linksOf(scene.victim())).as("only the invitation B issued when it created the victim").isEqualTo(1);
        given().auth().oauth2(scene.attackerToken()).get("/api/v1/tenants/{t}/members", scene.slugB()).then()
                .statusCode(404);
    }

    @Transactional
    String passwordHashOf(String email) {
        return entityManager.createQuery("select u.passwordHash from User u where u.email = ?1", String.class)
                .setParameter(1, email).getSingleResult();
    }

    @Transactional
    long linksOf(String email) {
        return ((Number) entityManager
                .createNativeQuery(
                        "select count(*) from account_links l join users u" + " on u.id = l.user_id where u.email = ?1")
                .setParameter(1, email).getSingleResult()).longValue();
    }

    @Transactional
    void mustChange(String email) {
        entityManager.createQuery("update User set passwordMustChange = true where email = ?1").setParameter(1, email)
                .executeUpdate();
    }

    static String unique(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    static String path(String url) {
        return url.replaceFirst("^https?://[^/]+", "");
    }

    static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from)).trim();
    }
}
