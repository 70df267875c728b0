package dev.firmament.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;

/**
 * What the hash chain alone cannot show, the signed checkpoints in the object store do: the tail cut, the chain
 * rewritten with fresh hashes, checkpoints forged or removed. Each tamper is done as the database superuser would.
 */
@QuarkusTest
class AuditAnchorTest {

    static final String PLATFORM = "test-bootstrap-token-0123456789";

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ArtifactStore store;

    Fleet.Tenant tenant;
    String token;
    String slug;

    @BeforeEach
    void tenantWithCheckpointedHistory() {
        tenant = fleet.tenant("SONOFF_BASIC");
        token = tenant.as(() -> tokens.create("auditor", Role.OWNER, null, "test").secret());
        slug = fleet.slugOf(tenant.id);
        for (String product : new String[] { "POW", "TH", "MINI" }) {
            given().auth().oauth2(token).contentType("application/json").body("{\"name\":\"" + product + "\"}")
                    .post("/api/v1/tenants/{t}/products", slug).then().statusCode(201);
        }
    }

    @Test
    void anIntactChainIsAnchoredToItsNewestCheckpoint() {
        JsonPath checkpoint = checkpointNow();
        productCreated("EXTRA");

        JsonPath verification = verify();

        assertThat(verification.getBoolean("intact")).isTrue();
        assertThat(verification.getLong("anchor.seq")).isEqualTo(checkpoint.getLong("seq"));
        assertThat(verification.getLong("anchor.eventsSince")).isEqualTo(1);
        assertThat(given().auth().oauth2(token).get("/api/v1/tenants/{t}/audit/checkpoints", slug).jsonPath()
                .getList("items.seq", Long.class)).containsExactly(checkpoint.getLong("seq"));
        // The head has not moved: asking again gives the same checkpoint, not a second one.
        productCreated("EXTRA2");
        JsonPath second = checkpointNow();
        assertThat(checkpointNow().getString("signature")).isEqualTo(second.getString("signature"));
    }

    @Test
    void theTailCutAfterACheckpointIsReported() throws Exception {
        long seq = checkpointNow().getLong("seq");
        superuser("delete from audit_events where tenant_id = '" + tenant.id + "' and seq >= " + (seq - 1));

        JsonPath verification = verify();

        assertThat(verification.getBoolean("intact")).isFalse();
        assertThat(verification.getString("problem")).isEqualTo("truncated-after-checkpoint");
        assertThat(verification.getLong("brokenAtSeq")).isEqualTo(seq - 1);
        assertThat(verification.getString("reason")).contains("events " + (seq - 1) + " to " + seq + " were removed");
    }

    @Test
    void aChainRewrittenWithFreshHashesIsReported() throws Exception {
        long seq = checkpointNow().getLong("seq");
        // Cut the last two events, then let the application chain new ones in their place: every link is valid again.
        superuser("delete from audit_events where tenant_id = '" + tenant.id + "' and seq >= " + (seq - 1));
        productCreated("FAKE1");
        productCreated("FAKE2");
        productCreated("FAKE3");

        JsonPath verification = verify();

        assertThat(verification.getString("problem")).isEqualTo("rewritten-before-checkpoint");
        assertThat(verification.getLong("brokenAtSeq")).isEqualTo(seq);
    }

    @Test
    void editsAndDeletionsInTheMiddleAreStillFoundByTheWalk() throws Exception {
        checkpointNow();
        superuser("update audit_events set actor_name = 'someone else' where tenant_id = '" + tenant.id
                + "' and seq = 2");
        assertThat(verify().getString("problem")).isEqualTo("content-changed");
    }

    @Test
    void aForgedCheckpointInTheStoreIsReported() throws Exception {
        JsonPath real = checkpointNow();
        String forged = real.getString("text").replace("seq: " + real.getLong("seq") + "\n", "seq: 999\n");
        assertThat(store.putRecord(AuditCheckpoint.objectName(tenant.id.toString(), 999),
                forged.getBytes(StandardCharsets.UTF_8))).isTrue();

        JsonPath verification = verify();

        assertThat(verification.getString("problem")).isEqualTo("checkpoint-signature-invalid");
    }

    @Test
    void aCheckpointRemovedFromTheStoreIsReported() throws Exception {
        JsonPath checkpoint = checkpointNow();
        Path records = Path.of(ConfigProvider.getConfig().getValue("firmament.storage.directory", String.class),
                "records");
        Files.delete(records.resolve(checkpoint.getString("object")));

        JsonPath verification = verify();

        assertThat(verification.getString("problem")).isEqualTo("checkpoint-missing-from-store");
    }

    @Test
    void theStoredCheckpointIsTheSignedTextOpensslChecks() throws Exception {
        JsonPath checkpoint = checkpointNow();
        byte[] stored = store.readRecord(checkpoint.getString("object")).orElseThrow();
        String pem = given().get("/audit/public-key.pem").then().statusCode(200).extract().asString();

        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo(checkpoint.getString("text"))
                .contains("chain: " + tenant.id + "\n").contains("seq: " + checkpoint.getLong("seq") + "\n");
        Path dir = Files.createTempDirectory("checkpoint");
        Files.write(dir.resolve("checkpoint.txt"), stored);
        Files.writeString(dir.resolve("audit-key.pem"), pem);
        Process process = new ProcessBuilder("sh", "-c",
                "sed '$d' checkpoint.txt > message && sed -n 's/^signature: //p' checkpoint.txt | base64 -d > signature"
                        + " && openssl pkeyutl -verify -pubin -inkey audit-key.pem -rawin -in message -sigfile signature")
                                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        assertThat(output).contains("Signature Verified Successfully");
    }

    @Test
    void thePlatformChainIsCheckpointedAndVerifiedByPlatformAdministratorsOnly() throws Exception {
        given().auth().oauth2(PLATFORM).contentType("application/json")
                .body("{\"slug\":\"anchor-" + UUID.randomUUID().toString().substring(0, 8)
                        + "\",\"name\":\"Anchor\",\"owner\":\"anchor@example.com\"}")
                .post("/api/v1/tenants").then().statusCode(201);
        long seq = given().auth().oauth2(PLATFORM).post("/api/v1/platform/audit/checkpoints").then().statusCode(200)
                .extract().jsonPath().getLong("seq");
        assertThat(given().auth().oauth2(PLATFORM).get("/api/v1/platform/audit").jsonPath().getList("items.action"))
                .contains("tenant.create");
        String intact = given().auth().oauth2(PLATFORM).get("/api/v1/platform/audit/verify").asString();
        assertThat(JsonPath.from(intact).getBoolean("intact")).as(intact).isTrue();
        // A tenant's owner is no platform administrator.
        given().auth().oauth2(token).get("/api/v1/platform/audit").then().statusCode(403);
        given().auth().oauth2(token).post("/api/v1/platform/audit/checkpoints").then().statusCode(403);

        // The platform chain is shared by every test: the cut head is held aside and put back afterwards.
        String platformHead = "from audit_events where tenant_id = '00000000-0000-0000-0000-000000000000' and seq = "
                + seq;
        superuser("create table cut_platform_head as select * " + platformHead + "; delete " + platformHead);
        try {
            JsonPath verification = given().auth().oauth2(PLATFORM).get("/api/v1/platform/audit/verify").jsonPath();
            assertThat(verification.getString("problem")).isEqualTo("truncated-after-checkpoint");
        } finally {
            superuser("insert into audit_events select * from cut_platform_head; drop table cut_platform_head");
        }
        assertThat(given().auth().oauth2(PLATFORM).get("/api/v1/platform/audit/verify").jsonPath().getBoolean("intact"))
                .isTrue();
    }

    @Test
    void anotherTenantSeesNeitherTheCheckpointsNorTheExport() {
        checkpointNow();
        Fleet.Tenant other = fleet.tenant("OTHER");
        String otherToken = other.as(() -> tokens.create("other", Role.OWNER, null, "test").secret());

        for (String path : new String[] { "/audit/checkpoints", "/audit/export", "/audit/verify" }) {
            given().auth().oauth2(otherToken).get("/api/v1/tenants/{t}/" + path, slug).then().statusCode(404);
        }
        given().auth().oauth2(otherToken).post("/api/v1/tenants/{t}/audit/checkpoints", slug).then().statusCode(404);
        assertThat(given().auth().oauth2(otherToken)
                .get("/api/v1/tenants/{t}/audit/checkpoints", fleet.slugOf(other.id)).jsonPath().getList("items"))
                        .isEmpty();
    }

    @Test
    void exportsStreamEveryEventOldestFirstWithTheHashedTexts() {
        String ndjson = given().auth().oauth2(token).queryParam("format", "ndjson")
                .get("/api/v1/tenants/{t}/audit/export", slug).then().statusCode(200)
                .contentType("application/x-ndjson").extract().asString();
        var lines = ndjson.lines().toList();
        JsonPath first = JsonPath.from(lines.get(0));
        assertThat(first.getLong("seq")).isEqualTo(1);
        assertThat(first.getString("prev_hash")).isEqualTo("0".repeat(64));
        JsonPath last = JsonPath.from(lines.get(lines.size() - 1));
        assertThat(last.getString("after")).startsWith("{\"").contains("\"name\":\"MINI\""); // the text as hashed, not
                                                                                             // an object
        assertThat(given().auth().oauth2(token).queryParam("action", "PRODUCT.CR")
                .get("/api/v1/tenants/{t}/audit/export", slug).asString().lines()).hasSize(1 + 4);
        given().auth().oauth2(token).queryParam("format", "xml").get("/api/v1/tenants/{t}/audit/export", slug).then()
                .statusCode(400).body("code", org.hamcrest.Matchers.is("unknown-format"));
    }

    private JsonPath checkpointNow() {
        return given().auth().oauth2(token).post("/api/v1/tenants/{t}/audit/checkpoints", slug).then().statusCode(200)
                .extract().jsonPath();
    }

    private JsonPath verify() {
        return given().auth().oauth2(token).get("/api/v1/tenants/{t}/audit/verify", slug).then().statusCode(200)
                .extract().jsonPath();
    }

    private void productCreated(String name) {
        given().auth().oauth2(token).contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .post("/api/v1/tenants/{t}/products", slug).then().statusCode(201);
    }

    private void superuser(String sql) throws Exception {
        try (var c = dataSource.getConnection(); var s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
            s.execute(sql);
            s.execute("set session_replication_role = origin");
        }
    }
}
