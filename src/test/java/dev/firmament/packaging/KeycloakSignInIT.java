package dev.firmament.packaging;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;

import dev.firmament.testing.ConsoleBrowser;
import dev.firmament.testing.PackagedApp;
import dev.firmament.testing.PackagedAppApi;

/**
 * End to end with a real Keycloak (the server distribution from Maven Central) and the realm of deploy/keycloak: a
 * person signs in to the console through Keycloak's own login page in Chromium, and scripts call the API with access
 * tokens Keycloak issued.
 */
class KeycloakSignInIT {

    static final String TOKEN = "keycloak-it-bootstrap-token";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    Process keycloak;
    Process firmament;
    ConsoleBrowser browser;

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        for (Process process : new Process[] { firmament, keycloak }) {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    @Test
    void peopleSignInThroughKeycloakAndScriptsUseItsTokens() throws Exception {
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "packaged-app-it")),
                "keycloak-");
        int appPort = PackagedApp.freePort();
        int keycloakPort = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        keycloak = startKeycloak(workDir, appPort, keycloakPort, managementPort);
        String realm = "http://localhost:" + keycloakPort + "/realms/firmament";

        firmament = PackagedApp.start(workDir, appPort,
                Map.of("FIRMAMENT_BOOTSTRAP_TOKEN", TOKEN, "QUARKUS_OIDC_TENANT_ENABLED", "true",
                        "QUARKUS_OIDC_AUTH_SERVER_URL", realm, "QUARKUS_OIDC_CLIENT_ID", "firmament-api",
                        "QUARKUS_OIDC_CONSOLE_TENANT_ENABLED", "true", "QUARKUS_OIDC_CONSOLE_AUTH_SERVER_URL", realm,
                        "QUARKUS_OIDC_CONSOLE_CLIENT_ID", "firmament-console",
                        "QUARKUS_OIDC_CONSOLE_CREDENTIALS_SECRET", "change-me-console-secret"),
                workDir.resolve("app.log"));
        awaitOk(keycloak, "http://localhost:" + managementPort + "/health/ready", Duration.ofSeconds(240),
                workDir.resolve("keycloak.log"));
        PackagedApp.awaitReady(firmament, appPort, Duration.ofSeconds(90), workDir.resolve("app.log"));

        String app = "http://localhost:" + appPort;
        PackagedAppApi bootstrap = new PackagedAppApi(appPort, TOKEN);
        bootstrap.api().body(Map.of("slug", "acme", "name", "Acme", "owner", "owner@acme.example"))
                .post("/api/v1/tenants").then().statusCode(201);
        bootstrap.api().body(Map.of("email", "demo@firmament.local", "role", "maintainer"))
                .post("/api/v1/tenants/acme/members").then().statusCode(201);

        // A person: the console sends them to Keycloak's login page and back, signed in with their tenant role.
        browser = new ConsoleBrowser(new URL(app + "/"));
        Page page = browser.open(1280, 900);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in with single sign-on")).click();
        page.waitForURL(Pattern.compile("http://localhost:" + keycloakPort + "/realms/firmament/.*"));
        page.locator("#username").fill("demo@firmament.local");
        page.locator("#password").fill("demo-password-123");
        page.locator("#kc-login").click();
        page.waitForURL(Pattern.compile(Pattern.quote(app) + "/console/acme$"));
        assertThat(page.getByTestId("who")).containsText("demo@firmament.local · maintainer");
        ConsoleBrowser.screenshot(page, "keycloak-signed-in");

        // Scripts: access tokens from Keycloak, with the person's rights and no more.
        String admin = accessToken(realm, "admin@firmament.local", "change-me-admin-password");
        assertThat(given().baseUri(app).auth().oauth2(admin).get("/api/v1/tenants").then().statusCode(200).extract()
                .jsonPath().getList("items.slug")).contains("acme");
        String demo = accessToken(realm, "demo@firmament.local", "demo-password-123");
        given().baseUri(app).auth().oauth2(demo).get("/api/v1/tenants/acme/releases").then().statusCode(200);
        given().baseUri(app).auth().oauth2(demo).get("/api/v1/tenants").then().statusCode(403);
        given().baseUri(app).auth().oauth2(demo + "x").get("/api/v1/tenants/acme/releases").then().statusCode(401);
    }

    /** Keycloak from its distribution, on fresh data, with deploy/keycloak's realm pointed at this test's ports. */
    static Process startKeycloak(Path workDir, int appPort, int port, int managementPort) throws Exception {
        Path home = Paths.get(System.getProperty("keycloak.home", "target/test-services/keycloak-26.7.3"));
        assertThat(home.resolve("bin/kc.sh")).as("unpacked by the build (maven-dependency-plugin)").exists();
        Path data = home.resolve("data");
        if (Files.exists(data)) {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        String realm = Files.readString(Paths.get("deploy/keycloak/firmament-realm.json"))
                .replace("http://localhost:8080", "http://localhost:" + appPort);
        Files.writeString(Files.createDirectories(data.resolve("import")).resolve("firmament-realm.json"), realm);
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
                "--import-realm", "--http-port=" + port, "--http-management-port=" + managementPort,
                "--health-enabled=true", "--hostname-strict=false")).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("keycloak.log").toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("KC_") || key.startsWith("QUARKUS_"));
        return builder.start();
    }

    static void awaitOk(Process process, String url, Duration timeout, Path log) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("Keycloak exited; see " + log).isTrue();
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Keycloak not ready within " + timeout + "; see " + log);
    }

    /** A person's access token through the realm's public command-line client (password grant). */
    static String accessToken(String realm, String username, String password) {
        return given().formParam("grant_type", "password").formParam("client_id", "firmament-cli")
                .formParam("username", username).formParam("password", password).formParam("scope", "openid email")
                .post(realm + "/protocol/openid-connect/token").then().statusCode(200).extract().jsonPath()
                .getString("access_token");
    }
}
