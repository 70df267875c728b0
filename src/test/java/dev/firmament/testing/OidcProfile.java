package dev.firmament.testing;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/** Turns on OIDC bearer tokens against a WireMock OIDC provider (issuer https://server.example.com). */
public class OidcProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url",
                "${keycloak.url}/realms/quarkus/", "quarkus.oidc.client-id", "quarkus-service-app");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(OidcWiremockTestResource.class));
    }
}
