package dev.firmament.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.audit.AuditService;
import dev.firmament.security.ApiTokenService;
import dev.firmament.security.Role;
import dev.firmament.testing.Fleet;

/**
 * Walks every operation of the OpenAPI document with what a careless or hostile client sends: an unknown field, a key
 * twice, a NUL in each string field, a query parameter that does not parse. Each must be a problem+json 4xx that names
 * what was wrong — never a 500, never silently accepted — and store nothing.
 */
@QuarkusTest
class ApiContractWalkTest {

    static final String BOOTSTRAP = "test-bootstrap-token-0123456789";

    @Inject
    Fleet fleet;

    @Inject
    ApiTokenService tokens;

    @Inject
    AuditService audit;

    Fleet.Tenant tenant;
    String slug;
    String owner;
    JsonPath openApi;
    int auditEventsBefore;

    /** One operation of the document, with its path filled in for this tenant. */
    record Operation(String method, String template, String path, Map<String, Object> spec) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + template;
        }
    }

    @BeforeEach
    void tenant() {
        tenant = fleet.tenant("SONOFF_BASIC");
        slug = fleet.slugOf(tenant.id);
        owner = tenant.as(() -> tokens.create("walker", Role.OWNER, null, "test").secret());
        openApi = given().accept("application/json").get("/q/openapi").jsonPath();
        auditEventsBefore = auditEvents();
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        // Free-form documents (a NoFUSS versions.json) have no fields to be unknown; they are validated whole.
        List<Operation> withJson = operations().stream()
                .filter(o -> jsonSchema(o) != null && jsonSchema(o).containsKey("properties")).toList();
        assertThat(withJson).as("operations with a JSON body").hasSizeGreaterThan(15);
        for (Operation operation : withJson) {
            Response response = send(operation, "{\"zzUnknownField\": 1}");
            assertProblem(response, operation, 400, "unknown-field");
            assertThat(response.jsonPath().getString("detail")).as("%s", operation).contains("zzUnknownField");
        }
        assertNothingStored();
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        for (Operation operation : operations()) {
            Map<String, Object> schema = jsonSchema(operation);
            if (schema == null || "array".equals(schema.get("type"))) {
                continue; // a list of ids has no keys
            }
            List<String> properties = propertyNames(schema);
            String key = properties.isEmpty() ? "anything" : properties.get(0);
            assertProblem(send(operation, "{\"" + key + "\": null, \"" + key + "\": null}"), operation, 400,
                    "duplicate-key");
        }
        assertNothingStored();
    }

    @Test
    void aNulInAnyStringFieldIsRefusedByName() {
        int checked = 0;
        for (Operation operation : operations()) {
            Map<String, Object> schema = jsonSchema(operation);
            if (schema == null) {
                continue;
            }
            for (String property : stringProperties(schema)) {
                Response response = send(operation, "{\"" + property + "\": \"a\\u0000b\"}");
                assertProblem(response, operation, 400, "control-character");
                assertThat(response.jsonPath().getString("detail")).as("%s %s", operation, property).contains(property);
                checked++;
            }
        }
        assertThat(checked).as("string fields walked").isGreaterThan(20);
        assertNothingStored();
    }

    @Test
    void queryParametersThatDoNotParseAreNamed() {
        int checked = 0;
        for (Operation operation : operations()) {
            for (Map<String, Object> parameter : parameters(operation)) {
                String type = String.valueOf(((Map<?, ?>) parameter.getOrDefault("schema", Map.of())).get("type"));
                String format = String.valueOf(((Map<?, ?>) parameter.getOrDefault("schema", Map.of())).get("format"));
                if (!"query".equals(parameter.get("in"))
                        || !(type.equals("integer") || type.equals("boolean") || format.equals("date-time"))) {
                    continue;
                }
                String name = (String) parameter.get("name");
                RequestSpecification request = request(operation).queryParam(name, "abc");
                if (jsonSchema(operation) != null) {
                    request.contentType("application/json")
                            .body("array".equals(jsonSchema(operation).get("type")) ? "[]" : "{}");
                }
                Response response = request.request(operation.method(), operation.path());
                assertProblem(response, operation, 400, "invalid-parameter");
                assertThat(response.jsonPath().getString("detail")).as("%s ?%s", operation, name).contains(name);
                checked++;
            }
        }
        assertThat(checked).as("typed query parameters walked").isGreaterThan(8);
    }

    private void assertProblem(Response response, Operation operation, int status, String code) {
        assertThat(response.statusCode()).as("%s: %s", operation, response.asString()).isEqualTo(status);
        assertThat(response.contentType()).as("%s", operation).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("code")).as("%s: %s", operation, response.asString()).isEqualTo(code);
    }

    private void assertNothingStored() {
        // Every change is audited in its transaction: a trail that did not grow means no refused request stored a
        // thing.
        assertThat(auditEvents()).as("audit events of the tenant").isEqualTo(auditEventsBefore);
    }

    private int auditEvents() {
        return tenant.as(() -> audit.query(new AuditService.Query(null, null, null, null, null, 10_000))).size();
    }

    List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        Map<String, Map<String, Object>> paths = openApi.getMap("paths");
        paths.forEach((template, methods) -> methods.forEach((method, spec) -> {
            if (!(spec instanceof Map<?, ?>) || method.equals("parameters")) {
                return;
            }
            String path = template.replace("{tenant}", slug).replace("{id}", UUID.randomUUID().toString())
                    .replace("{mac}", "AA:BB:CC:00:00:01").replace("{product}", "SONOFF_BASIC")
                    .replaceAll("\\{[^}]+}", "x");
            @SuppressWarnings("unchecked")
            Map<String, Object> operation = (Map<String, Object>) spec;
            operations.add(new Operation(method, template, path, operation));
        }));
        return operations;
    }

    private RequestSpecification request(Operation operation) {
        return given().auth().oauth2(operation.template().contains("{tenant}") ? owner : BOOTSTRAP);
    }

    private Response send(Operation operation, String body) {
        return request(operation).contentType("application/json").body(body).request(operation.method(),
                operation.path());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> jsonSchema(Operation operation) {
        Map<String, Object> body = (Map<String, Object>) operation.spec().get("requestBody");
        if (body == null) {
            return null;
        }
        Map<String, Object> json = (Map<String, Object>) ((Map<String, Object>) body.get("content"))
                .get("application/json");
        return json == null ? null : resolve((Map<String, Object>) json.get("schema"));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> parameters(Operation operation) {
        return (List<Map<String, Object>>) operation.spec().getOrDefault("parameters", List.of());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(Map<String, Object> schema) {
        if (schema == null) {
            return Map.of();
        }
        Object ref = schema.get("$ref");
        if (ref == null) {
            return schema;
        }
        String name = ref.toString().substring(ref.toString().lastIndexOf('/') + 1);
        return (Map<String, Object>) openApi.getMap("components.schemas").get(name);
    }

    @SuppressWarnings("unchecked")
    private List<String> propertyNames(Map<String, Object> schema) {
        Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
        return List.copyOf(properties.keySet());
    }

    @SuppressWarnings("unchecked")
    private List<String> stringProperties(Map<String, Object> schema) {
        Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
        List<String> strings = new ArrayList<>();
        properties.forEach((name, property) -> {
            Map<String, Object> resolved = resolve((Map<String, Object>) property);
            // Typed strings (times, UUIDs) are refused for their type first, which names the field too.
            if ("string".equals(resolved.get("type")) && resolved.get("enum") == null
                    && resolved.get("format") == null) {
                strings.add(name);
            }
        });
        return strings;
    }
}
