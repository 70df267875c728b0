package dev.firmament.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** People: the bootstrap administrator, members with roles, passwords, and the last owner. */
@QuarkusTest
class LocalAccountsTest {

    static final String ADMIN = "admin@firmament.local";
    static final String ADMIN_PASSWORD = "test-admin-password-0123";

    @Inject
    LocalAccounts accounts;

    @Test
    void theBootstrapAdministratorManagesTenantsAndMembers() {
        String slug = "people-" + UUID.randomUUID().toString().substring(0, 8);
        String owner = "owner-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
        // A tenant is created with its first owner; a person new to the platform gets an invitation link.
        Response created = given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).contentType("application/json")
                .body(Map.of("slug", slug, "name", "People", "owner", owner.toUpperCase())).post("/api/v1/tenants");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.jsonPath().getString("owner")).isEqualTo(owner);
        String invitation = created.jsonPath().getString("invitationUrl");
        given().redirects().follow(false).formParam("password", "a long enough password")
                .post(invitation.replaceFirst("^https?://[^/]+", "")).then().statusCode(303);
        String ownerId = given().auth().preemptive().basic(owner, "a long enough password")
                .get("/api/v1/tenants/{t}/members", slug).then().statusCode(200).extract().path("items[0].id");

        // The new owner signs in and sees exactly their tenant.
        given().auth().preemptive().basic(owner, "a long enough password").get("/api/v1/tenants/{t}/members", slug)
                .then().statusCode(200).body("items.email", org.hamcrest.Matchers.hasItem(owner));
        given().auth().preemptive().basic(owner, "a long enough password").get("/api/v1/tenants").then()
                .statusCode(403);

        // The only owner cannot be demoted or removed.
        Response demote = given().auth().preemptive().basic(owner, "a long enough password")
                .contentType("application/json").body(Map.of("role", "viewer"))
                .put("/api/v1/tenants/{t}/members/{id}", slug, ownerId);
        assertThat(demote.statusCode()).isEqualTo(409);
        assertThat(demote.jsonPath().getString("code")).isEqualTo("last-owner");
        given().auth().preemptive().basic(owner, "a long enough password")
                .delete("/api/v1/tenants/{t}/members/{id}", slug, ownerId).then().statusCode(409);
    }

    @Test
    void theBootstrapTokenMustNameTheOwner() {
        Response refused = given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                .body(Map.of("slug", "ownerless-" + UUID.randomUUID().toString().substring(0, 8), "name", "Ownerless"))
                .post("/api/v1/tenants");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.jsonPath().getString("code")).isEqualTo("owner-required");
    }

    @Test
    void wrongPasswordsUnknownPeopleAndMalformedCredentialsGet401() {
        given().auth().preemptive().basic(ADMIN, "wrong").get("/api/v1/tenants").then().statusCode(401);
        given().auth().preemptive().basic("nobody@example.com", ADMIN_PASSWORD).get("/api/v1/tenants").then()
                .statusCode(401);
        given().header("Authorization", "Basic !!!").get("/api/v1/tenants").then().statusCode(401);
        given().header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("no-colon".getBytes()))
                .get("/api/v1/tenants").then().statusCode(401);
    }

    @Test
    void aMemberOfAnotherTenantGets404() {
        String a = "a-" + UUID.randomUUID().toString().substring(0, 8);
        String b = "b-" + UUID.randomUUID().toString().substring(0, 8);
        for (String slug : new String[] { a, b }) {
            // Without an owner, the administrator who creates the tenant owns it.
            given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).contentType("application/json")
                    .body(Map.of("slug", slug, "name", slug)).post("/api/v1/tenants").then().statusCode(201)
                    .body("owner", org.hamcrest.Matchers.equalTo(ADMIN));
        }
        String person = "p-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
        given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).contentType("application/json")
                .body(Map.of("email", person, "role", "owner")).post("/api/v1/tenants/{t}/members", a).then()
                .statusCode(201);
        accounts.setPassword(person, "another long password");

        given().auth().preemptive().basic(person, "another long password").get("/api/v1/tenants/{t}/members", a).then()
                .statusCode(200);
        given().auth().preemptive().basic(person, "another long password").get("/api/v1/tenants/{t}/members", b).then()
                .statusCode(404);
    }
}
