package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.audit.AuditService;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.tenant.TenantContext;
import dev.firmament.testing.Fleet;

/**
 * Every tenant endpoint of the management API against every role, its cross-tenant twin, and the audit trail: a viewer
 * reads, a maintainer changes the fleet, an owner manages access; another tenant's token sees 404; every successful
 * change leaves exactly one audit event. The matrix must cover every tenant operation in the OpenAPI document, so a new
 * endpoint cannot slip past it.
 */
@QuarkusTest
class ApiAccessMatrixTest {

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    TenantContext tenants;

    @Inject
    dev.firmament.release.ProductService products;

    @Inject
    dev.firmament.release.SigningKeyService signingKeys;

    @Inject
    AuditService audit;

    @Inject
    dev.firmament.security.MemberService members;

    @Inject
    dev.firmament.rollout.RolloutService rollouts;

    @Inject
    dev.firmament.webhook.WebhookService webhooks;

    Fleet.Tenant tenantA;
    Map<Role, String> tokensOfA;
    String ownerOfB;

    /** One operation: how to call it against a tenant, and the least role it needs. */
    record Operation(String method, String path, Role least, int success,
            Function<ApiAccessMatrixTest, RequestSpecification> request) {
        boolean mutates() {
            // A checkpoint anchors the trail and is no change to the tenant's data, so it adds no audit event.
            return !method.equals("GET") && !path.equals("/audit/checkpoints");
        }
    }

    @BeforeEach
    void twoTenants() {
        tenantA = fleet.tenant("SONOFF_BASIC");
        tokensOfA = Map.of(Role.VIEWER, token(tenantA.id, Role.VIEWER), Role.MAINTAINER,
                token(tenantA.id, Role.MAINTAINER), Role.OWNER, token(tenantA.id, Role.OWNER));
        ownerOfB = token(fleet.tenant("SONOFF_BASIC").id, Role.OWNER);
    }

    List<Operation> operations() {
        return List.of(
                new Operation("POST", "/products", Role.MAINTAINER, 201, t -> json(Map.of("name", "P_" + unique()))),
                new Operation("GET", "/products", Role.VIEWER, 200, t -> given()),
                new Operation("PUT", "/products/{name}", Role.MAINTAINER, 200,
                        t -> given().pathParam("name", t.newProduct()).contentType("application/json")
                                .body(Map.of("chipFamily", "esp8266"))),
                new Operation("POST", "/products/{name}/signing-key", Role.OWNER, 200,
                        t -> given().pathParam("name", t.newProduct())),
                new Operation("PUT", "/products/{name}/signing-key", Role.OWNER, 200,
                        t -> given().pathParam("name", t.newProduct()).contentType("application/json")
                                .body(Map.of("privateKeyPem", SIGNING_KEY_PEM))),
                new Operation("GET", "/products/{name}/signing-key", Role.MAINTAINER, 200,
                        t -> given().pathParam("name", t.newSigningProduct())),
                new Operation("GET", "/products/{name}/signing-key/public.key", Role.MAINTAINER, 200,
                        t -> given().pathParam("name", t.newSigningProduct())),
                new Operation("DELETE", "/products/{name}/signing-key", Role.OWNER, 204,
                        t -> given().pathParam("name", t.newSigningProduct())),
                new Operation("POST", "/api-tokens", Role.OWNER, 201,
                        t -> json(Map.of("name", "ci " + unique(), "role", "viewer"))),
                new Operation("GET", "/api-tokens", Role.OWNER, 200, t -> given()),
                new Operation("DELETE", "/api-tokens/{id}", Role.OWNER, 200,
                        t -> given().pathParam("id", t.tenantA.as(
                                () -> tokens.create("to revoke", Role.VIEWER, null, "test").token().id.toString()))),
                new Operation("POST", "/device-keys", Role.OWNER, 201,
                        t -> json(Map.of("name", "devices " + unique(), "product", "SONOFF_BASIC"))),
                new Operation("GET", "/device-keys", Role.VIEWER, 200, t -> given()),
                new Operation("DELETE", "/device-keys/{id}", Role.OWNER, 200,
                        t -> given().pathParam("id", t.newDeviceKeyId())),
                new Operation("POST", "/releases", Role.MAINTAINER, 201,
                        t -> given().multiPart("product", "SONOFF_BASIC").multiPart("version", "1." + unique())
                                .multiPart("firmware", "fw.bin", Fleet.espImage(2_000, 1), "application/octet-stream")),
                new Operation("GET", "/releases", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/releases/{id}", Role.VIEWER, 200, t -> given().pathParam("id", t.newRelease())),
                new Operation("PATCH", "/releases/{id}", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRelease()).contentType("application/json")
                                .body(Map.of("notes", "Fixes the relay"))),
                new Operation("GET", "/releases/{id}/firmware", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newRelease())),
                new Operation("GET", "/releases/{id}/filesystem", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newReleaseWithFilesystem())),
                new Operation("DELETE", "/releases/{id}", Role.MAINTAINER, 204,
                        t -> given().pathParam("id", t.newRelease())),
                new Operation("POST", "/groups", Role.MAINTAINER, 201, t -> json(Map.of("name", "site " + unique()))),
                new Operation("GET", "/groups", Role.VIEWER, 200, t -> given()),
                new Operation("DELETE", "/groups/{id}", Role.MAINTAINER, 204,
                        t -> given().pathParam("id", t.newGroup())),
                new Operation("GET", "/groups/{id}/members", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newGroup())),
                new Operation("POST", "/groups/{id}/members", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newGroup()).contentType("text/plain")
                                .body("AA:BB:CC:00:00:01\nnot-a-mac\naa-bb-cc-00-00-02\n")),
                new Operation("POST", "/groups/{id}/members/remove", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newGroup()).contentType("application/json")
                                .body(Map.of("macs", List.of("AA:BB:CC:00:00:01")))),
                new Operation("PUT", "/pins/{mac}", Role.MAINTAINER, 200,
                        t -> given().pathParam("mac", "AA:BB:CC:00:00:09").contentType("application/json")
                                .body(Map.of("releaseId", t.newRelease()))),
                new Operation("DELETE", "/pins/{mac}", Role.MAINTAINER, 204, t -> given().pathParam("mac", t.newPin())),
                new Operation("GET", "/pins", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/devices", Role.VIEWER, 200, t -> given().queryParam("status", "active")),
                new Operation("GET", "/devices/{mac}", Role.VIEWER, 200,
                        t -> given().pathParam("mac", t.checkedInDevice())),
                new Operation("PATCH", "/devices/{mac}", Role.MAINTAINER, 200,
                        t -> given().pathParam("mac", t.checkedInDevice()).contentType("application/json")
                                .body(Map.of("blocked", true))),
                new Operation("GET", "/devices/{mac}/events", Role.VIEWER, 200,
                        t -> given().pathParam("mac", t.checkedInDevice())),
                new Operation("GET", "/events", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/adoption", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/adoption/spread", Role.VIEWER, 200,
                        t -> given().queryParam("product", "SONOFF_BASIC").queryParam("version", "1.0")),
                new Operation("GET", "/events/export", Role.VIEWER, 200, t -> given().queryParam("format", "ndjson")),
                new Operation("GET", "/devices/export", Role.VIEWER, 200, t -> given().queryParam("format", "csv")),
                new Operation("GET", "/rules", Role.VIEWER, 200, t -> given()),
                new Operation("POST", "/rules", Role.MAINTAINER, 201,
                        t -> json(Map.of("product", "SONOFF_BASIC", "releaseId", t.newRelease(), "versionMin", "1.0"))),
                new Operation("PUT", "/rules/{id}", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRule()).contentType("application/json")
                                .body(Map.of("product", "SONOFF_BASIC", "releaseId", t.newRelease(), "build", "abc"))),
                new Operation("DELETE", "/rules/{id}", Role.MAINTAINER, 204, t -> given().pathParam("id", t.newRule())),
                new Operation("PUT", "/rules/order", Role.MAINTAINER, 200, t -> json(t.reversedRuleOrder())),
                new Operation("POST", "/rules/import", Role.MAINTAINER, 200,
                        t -> json(List.of(Map.of("origin", Map.of("device", "SONOFF_BASIC", "lt", "9"), "target",
                                Map.of("version", t.releaseVersion(t.newRelease()), "firmware", "/x.bin", "spiffs",
                                        ""))))),
                new Operation("GET", "/rules/export", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/members", Role.VIEWER, 200, t -> given()),
                new Operation("POST", "/members", Role.OWNER, 201,
                        t -> json(Map.of("email", unique() + "@example.com", "role", "viewer"))),
                new Operation("PUT", "/members/{id}", Role.OWNER, 200,
                        t -> given().pathParam("id", t.newMember()).contentType("application/json")
                                .body(Map.of("role", "maintainer"))),
                new Operation("DELETE", "/members/{id}", Role.OWNER, 204, t -> given().pathParam("id", t.newMember())),
                new Operation("POST", "/rollouts", Role.MAINTAINER, 201, t -> json(t.rolloutBody())),
                new Operation("GET", "/rollouts", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/rollouts/{id}", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newRollout(false))),
                new Operation("PUT", "/rollouts/{id}", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRollout(false)).contentType("application/json")
                                .body(t.rolloutBody())),
                new Operation("DELETE", "/rollouts/{id}", Role.MAINTAINER, 204,
                        t -> given().pathParam("id", t.newRollout(false))),
                new Operation("POST", "/rollouts/{id}/start", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRollout(false)).queryParam("force", true)),
                new Operation("DELETE", "/rollouts/{id}/schedule", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRollout(false))),
                new Operation("GET", "/rollouts/{id}/preview", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newRollout(false))),
                new Operation("GET", "/rollouts/{id}/holds", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newRollout(true))),
                new Operation("GET", "/rollouts/{id}/holds/{reason}", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newRollout(true)).pathParam("reason", "wave-not-open")),
                new Operation("POST", "/rollouts/{id}/pause", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRollout(true)).contentType("application/json")
                                .body(Map.of("reason", "looking into it"))),
                new Operation("POST", "/rollouts/{id}/resume", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.pausedRollout())),
                new Operation("POST", "/rollouts/{id}/abort", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRollout(true))),
                new Operation("POST", "/rollouts/{id}/advance", Role.MAINTAINER, 200,
                        t -> given().pathParam("id", t.newRollout(true))),
                new Operation("GET", "/rollouts/{id}/devices", Role.VIEWER, 200,
                        t -> given().pathParam("id", t.newRollout(true)).queryParam("state", "pending")),
                new Operation("GET", "/audit", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/audit/export", Role.VIEWER, 200, t -> given().queryParam("format", "ndjson")),
                new Operation("GET", "/audit/verify", Role.VIEWER, 200, t -> given()),
                new Operation("GET", "/audit/checkpoints", Role.VIEWER, 200, t -> given()),
                new Operation("POST", "/audit/checkpoints", Role.MAINTAINER, 200, t -> given()),
                new Operation("POST", "/webhooks", Role.OWNER, 201,
                        t -> json(Map.of("url", "http://127.0.0.1:9/hooks/" + unique(), "events",
                                List.of("rollout.paused")))),
                new Operation("GET", "/webhooks", Role.OWNER, 200, t -> given()),
                new Operation("GET", "/webhooks/{id}", Role.OWNER, 200, t -> given().pathParam("id", t.newWebhook())),
                new Operation("PUT", "/webhooks/{id}", Role.OWNER, 200,
                        t -> given().pathParam("id", t.newWebhook()).contentType("application/json")
                                .body(Map.of("events", List.of("rollout.paused", "device.failed")))),
                new Operation("DELETE", "/webhooks/{id}", Role.OWNER, 204,
                        t -> given().pathParam("id", t.newWebhook())),
                new Operation("POST", "/webhooks/{id}/test", Role.OWNER, 202,
                        t -> given().pathParam("id", t.newWebhook())),
                new Operation("GET", "/webhooks/{id}/deliveries", Role.OWNER, 200,
                        t -> given().pathParam("id", t.newWebhook())),
                new Operation("POST", "/webhooks/{id}/deliveries/{delivery}/resend", Role.OWNER, 202, t -> {
                    long webhook = t.newWebhook();
                    return given().pathParam("id", webhook).pathParam("delivery",
                            t.tenantA.as(() -> webhooks.sendTest(webhook)));
                }));
    }

    @Test
    void eachRoleMayDoExactlyWhatItsRoleAllows() {
        for (Operation operation : operations()) {
            for (Role role : Role.values()) {
                long auditBefore = auditCount();
                Response response = call(operation, tokensOfA.get(role), slugOfA());
                String context = operation.method() + " " + operation.path() + " as " + role.code();
                if (role.includes(operation.least())) {
                    assertThat(response.statusCode()).as(context + ": " + response.asString())
                            .isEqualTo(operation.success());
                    if (operation.mutates()) {
                        // Setting up the call may itself change things; count from just before the request.
                        assertThat(auditCount() - auditBefore).as(context + ": audit events").isGreaterThan(0);
                    }
                } else {
                    assertThat(response.statusCode()).as(context).isEqualTo(403);
                    assertThat(response.contentType()).startsWith("application/problem+json");
                    assertThat(response.jsonPath().getString("code")).isEqualTo("forbidden");
                }
            }
        }
    }

    @Test
    void everySuccessfulChangeLeavesExactlyOneAuditEvent() {
        for (Operation operation : operations()) {
            if (!operation.mutates()) {
                continue;
            }
            RequestSpecification prepared = operation.request().apply(this); // setup outside the count
            long before = auditCount();
            Response response = prepared.header("Authorization", "Bearer " + tokensOfA.get(Role.OWNER))
                    .request(operation.method(), "/api/v1/tenants/" + slugOfA() + operation.path());
            assertThat(response.statusCode()).as(operation.path()).isEqualTo(operation.success());
            assertThat(auditCount() - before).as(operation.method() + " " + operation.path()).isEqualTo(1);
        }
        assertThat(tenantA.as(() -> audit.walk(audit.currentChain())).intact()).isTrue();
    }

    @Test
    void anotherTenantsTokenGets404ForEveryOperation() {
        for (Operation operation : operations()) {
            Response response = call(operation, ownerOfB, slugOfA());
            assertThat(response.statusCode()).as(operation.method() + " " + operation.path()).isEqualTo(404);
            assertThat(response.jsonPath().getString("code")).isEqualTo("not-found");
        }
        Response unknownTenant = call(operations().get(1), ownerOfB, "no-such-tenant");
        assertThat(unknownTenant.statusCode()).isEqualTo(404);
    }

    @Test
    void requestsWithoutAValidTokenGet401() {
        for (Operation operation : operations()) {
            Response none = operation.request().apply(this).request(operation.method(),
                    "/api/v1/tenants/" + slugOfA() + operation.path());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(call(operation, "fmt_not-a-real-token", slugOfA()).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void revokedAndExpiredTokensStopWorking() {
        var revoked = tenantA.as(() -> tokens.create("soon revoked", Role.OWNER, null, "test"));
        given().auth().oauth2(revoked.secret()).get("/api/v1/tenants/{t}/products", slugOfA()).then().statusCode(200);
        tenantA.as(() -> tokens.revoke(revoked.token().id));

        given().auth().oauth2(revoked.secret()).get("/api/v1/tenants/{t}/products", slugOfA()).then().statusCode(401);
    }

    @Test
    void theMatrixCoversEveryTenantOperationOfTheApi() {
        Map<String, Map<String, Object>> paths = given().accept("application/json").get("/q/openapi").jsonPath()
                .getMap("paths");
        Set<String> documented = new HashSet<>();
        paths.forEach((path, methods) -> {
            if (path.startsWith("/api/v1/tenants/{tenant}")) {
                methods.keySet().forEach(method -> documented
                        .add(method.toUpperCase() + " " + path.substring("/api/v1/tenants/{tenant}".length())));
            }
        });
        Set<String> covered = new HashSet<>();
        operations().forEach(o -> covered.add(o.method() + " " + o.path()));

        assertThat(covered).containsExactlyInAnyOrderElementsOf(documented);
    }

    @Test
    void everyOperationOutsideTenantsIsForPlatformAdministratorsOnly() {
        Map<String, Map<String, Object>> paths = given().accept("application/json").get("/q/openapi").jsonPath()
                .getMap("paths");
        Set<String> platform = new HashSet<>();
        paths.forEach((path, methods) -> {
            if (path.startsWith("/api/") && !path.startsWith("/api/v1/tenants/{tenant}")) {
                methods.keySet().forEach(method -> platform.add(method.toUpperCase() + " " + path));
            }
        });
        assertThat(platform).contains("POST /api/v1/tenants", "GET /api/v1/tenants", "POST /api/v1/password-resets",
                "GET /api/v1/platform/health");
        for (String operation : platform) {
            String[] parts = operation.split(" ");
            for (String token : List.of(tokensOfA.get(Role.OWNER), ownerOfB)) {
                Response refused = given().auth().oauth2(token).contentType("application/json").body("{}")
                        .request(parts[0], parts[1]);
                assertThat(refused.statusCode()).as("a tenant owner: %s", operation).isEqualTo(403);
            }
        }
    }

    @Test
    void bootstrapTokenIsAPlatformAdministrator() {
        String slug = "boot-" + unique().toLowerCase();
        given().auth().oauth2("test-bootstrap-token-0123456789").contentType("application/json")
                .body(Map.of("slug", slug, "name", "Bootstrapped", "owner", "owner@" + slug + ".example"))
                .post("/api/v1/tenants").then().statusCode(201);
        given().auth().oauth2("test-bootstrap-token-0123456789").get("/api/v1/tenants/{t}/products", slug).then()
                .statusCode(200);
        given().auth().oauth2(tokensOfA.get(Role.OWNER)).contentType("application/json")
                .body(Map.of("slug", slug + "x", "name", "Not allowed")).post("/api/v1/tenants").then().statusCode(403);
    }

    private Response call(Operation operation, String token, String slug) {
        return operation.request().apply(this).header("Authorization", "Bearer " + token).request(operation.method(),
                "/api/v1/tenants/" + slug + operation.path());
    }

    private String slugOfA() {
        return tenantA.as(() -> fleet.slugOf(tenantA.id));
    }

    private long auditCount() {
        return tenantA.as(() -> audit.query(new AuditService.Query(null, null, null, null, null, 10_000)).size());
    }

    private String token(UUID tenant, Role role) {
        return tenants.callAs(tenant, () -> tokens.create(role.code() + " token", role, null, "test").secret());
    }

    private String newDeviceKeyId() {
        return tenantA.as(() -> fleet.deviceKeys().create("to revoke", null, null).key().id.toString());
    }

    private String newMember() {
        return tenantA.as(() -> members.add(unique() + "@example.com", Role.VIEWER).entry().member().id.toString());
    }

    /** An RSA-2048 key as {@code openssl genrsa} writes it, made once for the whole class. */
    static final String SIGNING_KEY_PEM = rsaKeyPem();

    private static String rsaKeyPem() {
        try {
            var generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
                    generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String newProduct() {
        String name = "P_" + unique();
        tenantA.as(() -> products.create(name));
        return name;
    }

    private String newSigningProduct() {
        String name = newProduct();
        tenantA.as(() -> signingKeys.generate(name));
        return name;
    }

    private long newWebhook() {
        return tenantA.as(() -> webhooks
                .create(new dev.firmament.webhook.WebhookService.Spec("http://127.0.0.1:9/hooks/" + unique(),
                        List.of("rollout.paused"), null, null))
                .subscription().id);
    }

    private long newGroup() {
        return tenantA.group("group " + unique(), "AA:BB:CC:00:00:01").id;
    }

    private String newPin() {
        String mac = "AA:BB:CC:00:00:0A";
        tenantA.as(() -> {
            fleet.pins().pin(mac, newRelease(), false);
            return null;
        });
        return mac;
    }

    private long newRule() {
        return tenantA.rule(tenantA.release("7." + unique(), Fleet.espImage(1_000, 3), null), null, null).id;
    }

    private List<Long> reversedRuleOrder() {
        newRule();
        newRule();
        List<Long> ids = new java.util.ArrayList<>(
                tenantA.as(() -> fleet.rules().list()).stream().map(r -> r.id).toList());
        java.util.Collections.reverse(ids);
        return ids;
    }

    private String releaseVersion(long releaseId) {
        return tenantA.as(() -> fleet.releases().find(releaseId).version);
    }

    /** A device that checked in through the device endpoint, so it is in the registry. */
    private String checkedInDevice() {
        // Three random bytes: with one, a device blocked by an earlier operation was sometimes drawn again (403).
        String hex = UUID.randomUUID().toString().replace("-", "").substring(0, 6).toUpperCase();
        String mac = "5C:CF:7F:" + hex.substring(0, 2) + ":" + hex.substring(2, 4) + ":" + hex.substring(4, 6);
        given().header("x-ESP8266-STA-MAC", mac).header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1")
                .get("/d/{key}/update", tenantA.deviceKey).then().statusCode(304);
        fleet.flushActivity();
        return mac;
    }

    private Map<String, Object> rolloutBody() {
        return Map.of("name", "rollout " + unique(), "releaseId", newRelease(), "waves",
                List.of(Map.of("percent", 10, "soakMinutes", 0), Map.of("percent", 100)));
    }

    private long newRollout(boolean started) {
        var rollout = tenantA.as(() -> rollouts
                .create(new dev.firmament.rollout.RolloutService.RolloutSpec("rollout " + unique(), newRelease(), null,
                        List.of(), List.of(), List.of(new dev.firmament.rollout.RolloutService.WaveSpec(null, null,
                                java.math.BigDecimal.TEN, null, null, 0, null)),
                        null, null, false)));
        if (started) {
            tenantA.as(() -> rollouts.start(rollout.rollout().id, true));
        }
        return rollout.rollout().id;
    }

    private long pausedRollout() {
        long id = newRollout(true);
        tenantA.as(() -> rollouts.pause(id, "test"));
        return id;
    }

    /** Each release newer than the last, so that a rollout to it is never a rollback. */
    private static final java.util.concurrent.atomic.AtomicInteger RELEASES = new java.util.concurrent.atomic.AtomicInteger();

    private long newReleaseWithFilesystem() {
        return tenantA.release("9." + RELEASES.incrementAndGet(), Fleet.espImage(1_000, 2), Fleet.espImage(500, 3)).id;
    }

    private long newRelease() {
        return tenantA.release("9." + RELEASES.incrementAndGet(), Fleet.espImage(1_000, 2), null).id;
    }

    private static RequestSpecification json(Object body) {
        return given().contentType("application/json").body(body);
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8).replace("-", "");
    }
}
