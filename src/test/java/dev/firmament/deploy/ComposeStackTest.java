package dev.firmament.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one-machine stack: the compose file passes docker-compose's own validation (no engine needed), and the Keycloak
 * realm it imports has what Firmament's configuration in it expects.
 */
class ComposeStackTest {

    static final Path COMPOSE = Paths.get("deploy/compose.yaml");

    @Test
    void theComposeFileValidates() throws Exception {
        Process config = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config")
                .redirectErrorStream(true).start();
        String output = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(config.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(config.exitValue()).as(output).isZero();
        // The resolved file: Firmament waits for healthy services and talks to them by their names.
        assertThat(output).contains("condition: service_healthy").contains("jdbc:postgresql://postgres:5432/firmament")
                .contains("http://minio:9000").contains("http://keycloak:8180/realms/firmament");
    }

    @Test
    void theRealmHasTheClientsRolesAndPeopleTheStackExpects() throws IOException {
        JsonNode realm = new ObjectMapper().readTree(Paths.get("deploy/keycloak/firmament-realm.json").toFile());
        assertThat(realm.path("realm").asText()).isEqualTo("firmament");
        List<String> clients = realm.path("clients").findValuesAsText("clientId");
        assertThat(clients).contains("firmament-console", "firmament-api", "firmament-cli");
        assertThat(realm.path("roles").path("realm").findValuesAsText("name")).contains("firmament-admin");
        JsonNode console = realm.path("clients").get(clients.indexOf("firmament-console"));
        assertThat(console.path("redirectUris").get(0).asText()).isEqualTo("http://localhost:8080/console/login/oidc");
        assertThat(Files.readString(COMPOSE)).contains(console.path("secret").asText());
        assertThat(realm.path("users").findValuesAsText("email")).contains("demo@firmament.local");
    }
}
