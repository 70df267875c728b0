package dev.firmament.testing;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/**
 * Turns on console sign-in through the OIDC code flow against a WireMock provider whose login page signs in "alice"
 * (e-mail alice@somecompany.com from its userinfo endpoint).
 */
public class ConsoleSsoProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.oidc.console.tenant-enabled", "true", "quarkus.oidc.console.auth-server-url",
                "${keycloak.url}/realms/quarkus/", "quarkus.oidc.console.client-id", "quarkus-web-app",
                "quarkus.oidc.console.credentials.secret", "secret",
                "quarkus.oidc.console.authentication.user-info-required", "true",
                // The stand-in provider's client secret is too short to encrypt the PKCE state cookie with.
                "quarkus.oidc.console.authentication.state-secret", "a-state-secret-of-32-characters!");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(OidcWiremockTestResource.class));
    }
}
