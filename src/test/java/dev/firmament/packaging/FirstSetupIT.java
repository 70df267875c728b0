package dev.firmament.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.response.Response;

import dev.firmament.security.ConsoleAuthentication;
import dev.firmament.testing.ConsoleLogin;
import dev.firmament.testing.PackagedApp;

/**
 * A fresh install, as its operator meets it: the administrator signs in with the password printed once in the log, must
 * choose their own first, creates a tenant whose owner is invited, and that owner invites a maintainer; every link
 * works once. Nothing is configured and no credential is ever set for anybody else.
 */
class FirstSetupIT {

    private static final Pattern GENERATED = Pattern.compile("with password (\\S+) \\(shown once");
    private static final Pattern INVITATION = Pattern.compile("data-testid=\"invitation-url\">\\s*([^<\\s]+)");

    @Test
    void theAdministratorSetsUpATenantAndItsPeopleFromTheConsoleAlone() throws Exception {
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "first-setup-it")), "run-");
        int port = PackagedApp.freePort();
        Path log = workDir.resolve("app.log");
        Process app = PackagedApp.start(workDir, port, Map.of(), log);
        try {
            PackagedApp.awaitReady(app, port, Duration.ofSeconds(60), log);
            String base = "http://127.0.0.1:" + port;
            String generated = generatedPassword(log);

            // The generated password opens only the page where the administrator chooses their own.
            RestAssured.given().baseUri(base).auth().preemptive().basic("admin@firmament.local", generated)
                    .get("/api/v1/tenants").then().statusCode(403);
            Response login = ConsoleLogin.request(base).formParam("email", "admin@firmament.local")
                    .formParam("password", generated).post("/console/login");
            assertThat(login.header("Location")).endsWith("/console/account");
            ConsoleLogin admin = ConsoleLogin.fromCookie(base, login.getCookie(ConsoleAuthentication.COOKIE),
                    "/console/account");
            assertThat(admin.get("/console/platform").header("Location")).endsWith("/console/account");
            Response changed = admin.post("/console/account/password", "current", generated, "password",
                    "the administrator's own password");
            assertThat(changed.statusCode()).isEqualTo(303);
            admin = ConsoleLogin.fromCookie(base, changed.getCookie(ConsoleAuthentication.COOKIE), "/console/platform");
            assertThat(admin.get("/console").asString()).contains("Create a tenant");

            // A tenant with its first owner, who is invited.
            Response tenant = admin.post("/console/platform/tenants", "slug", "acme", "name", "Acme", "owner",
                    "owner@acme.example");
            assertThat(tenant.statusCode()).isEqualTo(200);
            String ownerLink = link(tenant);
            ConsoleLogin owner = accept(base, ownerLink, "the owner's own password", "/console/acme/settings");
            assertThat(owner.get("/console/acme").asString()).contains("owner@acme.example · owner");

            // The owner invites a maintainer; the link works once.
            Response added = owner.post("/console/acme/settings/members", "email", "maintainer@acme.example", "role",
                    "maintainer");
            String maintainerLink = link(added);
            ConsoleLogin maintainer = accept(base, maintainerLink, "the maintainer's password", "/console/acme");
            assertThat(maintainer.get("/console/acme").asString()).contains("maintainer@acme.example · maintainer");
            assertThat(ConsoleLogin.request(base).get(path(maintainerLink)).statusCode()).isEqualTo(404);
            assertThat(ConsoleLogin.request(base).formParam("password", "somebody else's password")
                    .post(path(maintainerLink)).statusCode()).isEqualTo(404);
            RestAssured.given().baseUri(base).auth().preemptive()
                    .basic("admin@firmament.local", "the administrator's own password").get("/api/v1/tenants").then()
                    .statusCode(200);
        } finally {
            app.destroy();
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Opens an invitation link, chooses a password on it, and answers the session it starts. */
    private static ConsoleLogin accept(String base, String link, String password, String page) {
        assertThat(ConsoleLogin.request(base).get(path(link)).statusCode()).isEqualTo(200);
        Response accepted = ConsoleLogin.request(base).formParam("password", password).post(path(link));
        assertThat(accepted.statusCode()).isEqualTo(303);
        return ConsoleLogin.fromCookie(base, accepted.getCookie(ConsoleAuthentication.COOKIE), page);
    }

    private static String link(Response page) {
        Matcher matcher = INVITATION.matcher(page.asString());
        assertThat(matcher.find()).as("an invitation link on the page").isTrue();
        return matcher.group(1);
    }

    private static String path(String url) {
        return url.replaceFirst("^https?://[^/]+", "");
    }

    private static String generatedPassword(Path log) throws IOException {
        Matcher matcher = GENERATED.matcher(Files.readString(log));
        assertThat(matcher.find()).as("the generated password in %s", log).isTrue();
        return matcher.group(1);
    }
}
