package dev.firmament.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;

/** The audit trail records who did what, refuses edits, and detects tampering done behind its back. */
@QuarkusTest
class AuditTrailTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    AgroalDataSource dataSource;

    Fleet.Tenant tenant;
    String token;
    String slug;

    @BeforeEach
    void tenantWithSomeHistory() {
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("ci pipeline", Role.OWNER, null, "test").secret());
        slug = fleet.slugOf(tenant.id);
        given().auth().oauth2(token).header("User-Agent", "curl/8.5").header("X-Request-Id", "req-42")
                .contentType("application/json").body("{\"name\":\"SONOFF_POW\"}")
                .post("/api/v1/tenants/{t}/products", slug).then().statusCode(201);
    }

    @Test
    void recordsActorActionTargetAndOrigin() {
        Response events = given().auth().oauth2(token).queryParam("action", "product.create")
                .get("/api/v1/tenants/{t}/audit", slug);

        assertThat(events.jsonPath().getList("items")).hasSize(2);
        assertThat(events.jsonPath().getString("items[0].actorName")).isEqualTo("ci pipeline");
        assertThat(events.jsonPath().getString("items[0].actorType")).isEqualTo("api-token");
        assertThat(events.jsonPath().getString("items[0].after.name")).isEqualTo("SONOFF_POW");
        assertThat(events.jsonPath().getString("items[0].requestId")).isEqualTo("req-42");
        assertThat(events.jsonPath().getString("items[0].userAgent")).isEqualTo("curl/8.5");
        assertThat(events.jsonPath().getString("items[0].ip")).isEqualTo("127.0.0.1");
        assertThat(given().auth().oauth2(token).queryParam("from", java.time.Instant.now().plusSeconds(60).toString())
                .get("/api/v1/tenants/{t}/audit", slug).jsonPath().getList("items")).isEmpty();
        // Setup went through the services (actor "system"); the pipeline itself made one change.
        assertThat(given().auth().oauth2(token).queryParam("actor", "ci pipeline")
                .get("/api/v1/tenants/{t}/audit", slug).jsonPath().getList("items.action"))
                        .containsExactly("product.create");
    }

    @Test
    void exportsCsv() {
        String csv = given().auth().oauth2(token).get("/api/v1/tenants/{t}/audit/export", slug).then().statusCode(200)
                .contentType("text/csv").extract().asString();

        assertThat(csv.lines().findFirst().orElseThrow()).startsWith("seq,id,at,actor_type");
        assertThat(csv).contains("\"product.create\"").contains("SONOFF_POW");
    }

    @Test
    void theDatabaseRefusesEditsAndDeletes() throws Exception {
        try (var c = dataSource.getConnection(); var s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("update audit_events set actor_name = 'someone else'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("delete from audit_events")).hasMessageContaining("append-only");
        }
    }

    @Test
    void anIntactChainVerifies() {
        given().auth().oauth2(token).get("/api/v1/tenants/{t}/audit/verify", slug).then().statusCode(200).body("intact",
                org.hamcrest.Matchers.is(true));
    }

    @Test
    void tamperingBehindTheTriggersBackIsDetected() throws Exception {
        given().auth().oauth2(token).contentType("application/json").body("{\"name\":\"SONOFF_TH\"}")
                .post("/api/v1/tenants/{t}/products", slug).then().statusCode(201);
        // A superuser edits a row with triggers disabled for the session.
        try (var c = dataSource.getConnection(); var s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
            s.execute("update audit_events set after = '{\"name\":\"SONOFF_FAKE\"}' where tenant_id = '" + tenant.id
                    + "' and after like '%SONOFF_POW%'");
            s.execute("set session_replication_role = origin");
        }

        Response verification = given().auth().oauth2(token).get("/api/v1/tenants/{t}/audit/verify", slug);

        assertThat(verification.jsonPath().getBoolean("intact")).isFalse();
        assertThat(verification.jsonPath().getString("reason")).isEqualTo("content was changed");
        assertThat(verification.jsonPath().getLong("brokenAtSeq")).isPositive();
    }

    @Test
    void aDeletedRowIsDetected() throws Exception {
        try (var c = dataSource.getConnection(); var s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
            s.execute("delete from audit_events where tenant_id = '" + tenant.id + "' and seq = 2");
            s.execute("set session_replication_role = origin");
        }

        Response verification = given().auth().oauth2(token).get("/api/v1/tenants/{t}/audit/verify", slug);

        assertThat(verification.jsonPath().getBoolean("intact")).isFalse();
        assertThat(verification.jsonPath().getLong("brokenAtSeq")).isEqualTo(2);
        assertThat(verification.jsonPath().getString("reason")).contains("missing");
    }
}
