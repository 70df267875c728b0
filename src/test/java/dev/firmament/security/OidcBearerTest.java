package dev.firmament.security;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

import dev.firmament.testing.Fleet;
import dev.firmament.testing.OidcProfile;

/** People with access tokens of the OIDC provider act with the roles of their memberships, found by e-mail. */
@QuarkusTest
@TestProfile(OidcProfile.class)
class OidcBearerTest {

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    ApiTokenService tokens;

    Fleet.Tenant tenant;
    String slug;
    String alice;

    @BeforeEach
    void aliceMaintainsATenant() {
        tenant = fleet.tenant("SONOFF_BASIC");
        slug = fleet.slugOf(tenant.id);
        alice = "alice-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
        tenant.as(() -> members.add(alice, Role.MAINTAINER));
    }

    @Test
    void aMemberActsWithHerRole() {
        String token = accessToken(alice, Set.of());
        given().auth().oauth2(token).get("/api/v1/tenants/{t}/products", slug).then().statusCode(200);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("name", "SONOFF_POW"))
                .post("/api/v1/tenants/{t}/products", slug).then().statusCode(201);
        given().auth().oauth2(token).get("/api/v1/tenants/{t}/api-tokens", slug).then().statusCode(403);
    }

    @Test
    void anotherTenantIsNotFoundForHer() {
        Fleet.Tenant other = fleet.tenant("SONOFF_BASIC");
        given().auth().oauth2(accessToken(alice, Set.of())).get("/api/v1/tenants/{t}/products", fleet.slugOf(other.id))
                .then().statusCode(404);
    }

    @Test
    void theAdministratorRoleMakesAPlatformAdministrator() {
        String admin = accessToken("ops@example.com", Set.of(ApiAuthentication.PLATFORM_ADMIN_ROLE));
        given().auth().oauth2(admin).get("/api/v1/tenants").then().statusCode(200);
        given().auth().oauth2(accessToken(alice, Set.of())).get("/api/v1/tenants").then().statusCode(403);
    }

    @Test
    void forgedAndUnknownTokensAre401AndApiTokensStillWork() {
        given().auth().oauth2("eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImV2ZUBleGFtcGxlLmNvbSJ9.")
                .get("/api/v1/tenants/{t}/products", slug).then().statusCode(401);
        given().auth().oauth2("not-a-jwt-at-all").get("/api/v1/tenants/{t}/products", slug).then().statusCode(401);
        String apiToken = tenant.as(() -> tokens.create("ci", Role.VIEWER, null, "test").secret());
        given().auth().oauth2(apiToken).get("/api/v1/tenants/{t}/products", slug).then().statusCode(200);
    }

    private static String accessToken(String email, Set<String> roles) {
        return OidcWiremockTestResource.generateJwtToken(email, roles, "sub-" + email, "session",
                Set.of("https://service.example.com"), Map.of("email", email));
    }
}
