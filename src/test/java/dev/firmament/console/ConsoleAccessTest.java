package dev.firmament.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.firmament.security.Allowed;
import dev.firmament.security.ConsoleAuthentication;
import dev.firmament.security.LocalAccounts;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleLogin;
import dev.firmament.testing.Fleet;

/**
 * Who may do what in the console, route by route, over HTTP: every change needs the role its method declares and the
 * session's CSRF token; every tenant page is a 404 to people of other tenants; without a session the console sends
 * people to the sign-in page. Routes are read from the page classes, so a new page is covered as it is added.
 */
@QuarkusTest
class ConsoleAccessTest {

    static final String PASSWORD = "an access password 1";
    static final List<Class<?>> PAGES = List.of(DashboardPage.class, DevicesPage.class, ReleasesPage.class,
            RulesPage.class, GroupsPage.class, RolloutsPage.class, AuditPage.class, SettingsPage.class,
            WebhooksPage.class);

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    LocalAccounts accounts;

    @Inject
    dev.firmament.device.DeviceQueries devices;

    Fleet.Tenant tenantA;
    String slugA;
    Fleet.Tenant tenantB;

    /** A signed-in person: their session cookie and CSRF token. */
    record Session(String cookie, String csrf) {
    }

    /** One console route: method, path with the tenant filled in, the least role it needs, and its form type. */
    record Route(String method, String path, Role role, boolean multipart) {
    }

    @BeforeEach
    void tenants() {
        tenantA = fleet.tenant("SONOFF_BASIC");
        slugA = fleet.slugOf(tenantA.id);
        tenantB = fleet.tenant("SONOFF_BASIC");
    }

    Session signIn(Fleet.Tenant tenant, Role role) {
        String email = role.code() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        tenant.as(() -> members.add(email, role));
        accounts.setPassword(email, PASSWORD);
        ConsoleLogin login = ConsoleLogin.signIn(email, PASSWORD, "/console/" + fleet.slugOf(tenant.id));
        return new Session(login.cookie(), login.csrf());
    }

    static List<Route> routes(String slug) {
        List<Route> routes = new ArrayList<>();
        for (Class<?> page : PAGES) {
            String base = page.getAnnotation(Path.class).value();
            for (Method method : page.getDeclaredMethods()) {
                Allowed allowed = method.getAnnotation(Allowed.class);
                String verb = method.isAnnotationPresent(POST.class) ? "POST"
                        : method.isAnnotationPresent(GET.class) ? "GET" : null;
                if (verb == null) {
                    continue;
                }
                assertThat(allowed).as("%s.%s declares who may use it", page.getSimpleName(), method.getName())
                        .isNotNull();
                Path sub = method.getAnnotation(Path.class);
                String path = (base + (sub == null ? "" : "/" + sub.value())).replaceAll("\\{tenant[^}]*}", slug)
                        .replaceAll("\\{action[^}]*}", "pause").replace("{mac}", "5C:CF:7F:00:00:01")
                        .replace("{id}", "1").replace("{delivery}", "1").replace("{name}", "SONOFF_BASIC");
                jakarta.ws.rs.Consumes consumes = method.getAnnotation(jakarta.ws.rs.Consumes.class);
                routes.add(new Route(verb, path, allowed.value(),
                        consumes != null && consumes.value()[0].startsWith("multipart/")));
            }
        }
        return routes;
    }

    static Response call(Route route, Session session, boolean withCsrf) {
        var request = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, session.cookie());
        if (withCsrf && route.method().equals("POST")) {
            request.header("X-CSRF-Token", session.csrf());
        }
        if (route.method().equals("GET")) {
            return request.get(route.path());
        }
        return (route.multipart() ? request.multiPart("name", "x") : request.formParam("name", "x")).post(route.path());
    }

    @Test
    void everyChangeNeedsTheRoleItsPageDeclares() {
        Session viewer = signIn(tenantA, Role.VIEWER);
        Session maintainer = signIn(tenantA, Role.MAINTAINER);
        List<Route> routes = routes(slugA);
        assertThat(routes).hasSizeGreaterThan(30);
        for (Route route : routes) {
            if (route.role() != Role.VIEWER) {
                Response refused = call(route, viewer, true);
                assertThat(refused.statusCode()).as("viewer: %s", route).isEqualTo(403);
                assertThat(refused.asString()).as("viewer: %s", route).contains("This needs the")
                        .doesNotContain("Exception");
            }
            if (route.role() == Role.OWNER) {
                assertThat(call(route, maintainer, true).statusCode()).as("maintainer: %s", route).isEqualTo(403);
            }
        }
    }

    @Test
    void everyTenantPageIsNotFoundToOtherTenantsPeople() {
        Session stranger = signIn(tenantB, Role.OWNER);
        for (Route route : routes(slugA)) {
            Response response = call(route, stranger, true);
            assertThat(response.statusCode()).as("%s", route).isEqualTo(404);
            assertThat(response.asString()).as("%s", route).contains("Tenant " + slugA + " does not exist");
        }
        // Within their own tenant, another tenant's device is not there either.
        String macOfA = "5C:CF:7F:AA:00:01";
        given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", macOfA)
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0")
                .get("/d/" + tenantA.deviceKey + "/update");
        fleet.flushActivity();
        String slugB = fleet.slugOf(tenantB.id);
        Response device = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, stranger.cookie())
                .get("/console/" + slugB + "/devices/" + macOfA);
        assertThat(device.statusCode()).isEqualTo(404);
        assertThat(device.asString()).contains("Device " + macOfA + " does not exist");
    }

    @Test
    void thePlatformPageIsForPlatformAdministratorsAndKeepsWhatWasTyped() {
        Session owner = signIn(tenantA, Role.OWNER);
        ConsoleLogin ownerLogin = new ConsoleLogin(null, owner.cookie(), owner.csrf());
        assertThat(ownerLogin.get("/console/platform").statusCode()).isEqualTo(403);
        for (String path : List.of("/console/platform/tenants", "/console/platform/password-resets")) {
            Response refused = ownerLogin.post(path, "slug", "taken-over", "name", "x", "owner", "o@example.com",
                    "email", "o@example.com");
            assertThat(refused.statusCode()).as(path).isEqualTo(403);
        }
        assertThat(ownerLogin.get("/console/taken-over").statusCode()).isEqualTo(404);

        ConsoleLogin admin = ConsoleLogin.signIn("admin@firmament.local", "test-admin-password-0123",
                "/console/platform");
        Response duplicate = admin.post("/console/platform/tenants", "slug", slugA, "name", "Typed name", "owner",
                "typed@example.com");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.asString()).contains("data-testid=\"tenant-error\"").contains("value=\"Typed name\"")
                .contains("value=\"typed@example.com\"");
        String slug = "made-here-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        Response created = admin.post("/console/platform/tenants", "slug", slug, "name", "Made here", "owner",
                "admin@firmament.local");
        assertThat(created.statusCode()).as("the administrator owns it: no link, straight there").isEqualTo(303);
        assertThat(created.header("Location")).endsWith("/console/" + slug);
        assertThat(admin.get("/console/" + slug + "/settings").asString()).contains("admin@firmament.local");
    }

    @Test
    void refusedMembersAndReleasesInUseAreSaidInPlaceKeepingWhatWasTyped() {
        Session owner = signIn(tenantA, Role.OWNER);
        ConsoleLogin login = new ConsoleLogin(null, owner.cookie(), owner.csrf());
        String member = "twice-" + java.util.UUID.randomUUID().toString().substring(0, 6) + "@example.com";
        tenantA.as(() -> members.add(member, Role.VIEWER));

        Response duplicate = login.post("/console/" + slugA + "/settings/members", "email", member, "role",
                "maintainer");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.asString()).contains("data-testid=\"member-error\"").contains("value=\"" + member + "\"")
                .contains("<option value=\"maintainer\" selected>").doesNotContain("Console home");

        var release = tenantA.release("7.0.0", Fleet.espImage(1_000, 3), null);
        tenantA.rule(release, null, null);
        tenantA.pin("5C:CF:7F:40:00:01", release, false);
        Response badNotes = login.post("/console/" + slugA + "/releases/" + release.id + "/notes", "notes",
                "typed\u0007text");
        assertThat(badNotes.statusCode()).isEqualTo(400);
        assertThat(badNotes.asString()).contains("data-testid=\"notes-error\"").contains("typed\u0007text");
        assertThat(login.post("/console/" + slugA + "/releases/" + release.id + "/notes", "notes", "Fixes the relay")
                .statusCode()).isEqualTo(303);
        assertThat(login.get("/console/" + slugA + "/releases/" + release.id).asString()).contains("Fixes the relay");

        Response inUse = login.post("/console/" + slugA + "/releases/" + release.id + "/delete");
        assertThat(inUse.statusCode()).isEqualTo(409);
        assertThat(inUse.asString()).contains("data-testid=\"delete-error\"")
                .contains("Release 7.0.0 is used by rule 1, the pin of 5C:CF:7F:40:00:01");
    }

    @Test
    void aRefusedBulkActionOrAMistypedDeviceAddressIsSaidAboveTheListAsItWas() {
        String mac = "5C:CF:7F:40:01:01";
        given().header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", mac)
                .header("x-ESP8266-mode", "sketch").header("x-ESP8266-version", "1.0.0")
                .get("/d/{key}/update", tenantA.deviceKey).then().statusCode(304);
        fleet.flushActivity();
        Session maintainer = signIn(tenantA, Role.MAINTAINER);
        ConsoleLogin login = new ConsoleLogin(null, maintainer.cookie(), maintainer.csrf());

        Response nothingTicked = login.post("/console/" + slugA + "/devices/bulk", "action", "block", "status",
                "active", "q", "40:01");
        assertThat(nothingTicked.statusCode()).isEqualTo(400);
        assertThat(nothingTicked.asString()).contains("data-testid=\"bulk-error\"")
                .contains("Tick at least one device first").contains("name=\"status\" value=\"active\"")
                .contains("name=\"q\" value=\"40:01\"").doesNotContain("Console home");

        Response noRelease = login.post("/console/" + slugA + "/devices/bulk", "mac", mac, "action", "pin");
        assertThat(noRelease.statusCode()).isEqualTo(400);
        assertThat(noRelease.asString()).contains("data-testid=\"bulk-error\"")
                .contains("value=\"" + mac + "\" aria-label=\"Tick " + mac + "\" checked")
                .contains("<option value=\"pin\" selected>");
        assertThat(tenantA.as(() -> fleet.pins().list())).isEmpty();

        Response noProduct = login.post("/console/" + slugA + "/devices/bulk", "mac", mac, "action", "product");
        assertThat(noProduct.statusCode()).isEqualTo(400);
        assertThat(noProduct.asString()).contains("Choose the product to assign the devices to");
        Response assigned = login.post("/console/" + slugA + "/devices/bulk", "mac", mac, "action", "product",
                "assignProduct", "SONOFF_BASIC");
        assertThat(assigned.statusCode()).isEqualTo(303);
        assertThat(tenantA.as(() -> devices.find(mac)).orElseThrow().device().assignedProductId)
                .isEqualTo(tenantA.product.id);

        Response mistyped = login.get("/console/" + slugA + "/devices/5C:CF:7F:40");
        assertThat(mistyped.statusCode()).isEqualTo(400);
        assertThat(mistyped.asString()).contains("data-testid=\"bulk-error\"").contains("value=\"5C:CF:7F:40\"");
    }

    @Test
    void thePlatformChainIsReadExportedAndVerifiedByPlatformAdministratorsOnly() {
        Session owner = signIn(tenantA, Role.OWNER);
        ConsoleLogin ownerLogin = new ConsoleLogin(null, owner.cookie(), owner.csrf());
        for (String path : List.of("/console/platform/audit", "/console/platform/audit/export")) {
            assertThat(ownerLogin.get(path).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(ownerLogin.post("/console/platform/audit/verify").statusCode()).isEqualTo(403);

        ConsoleLogin admin = ConsoleLogin.signIn("admin@firmament.local", "test-admin-password-0123",
                "/console/platform");
        String page = admin.get("/console/platform/audit?action=tenant.create").asString();
        assertThat(page).contains("Platform audit log").contains("tenant.create")
                .contains("href=\"/console/platform/audit/export?");
        String ndjson = admin.get("/console/platform/audit/export?format=ndjson&action=tenant.create").asString();
        assertThat(ndjson.lines()).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("\"action\":\"tenant.create\""));
        assertThat(admin.post("/console/platform/audit/verify").asString()).contains("chain intact");
    }

    @Test
    void changesWithoutTheSessionsCsrfTokenAreRefused() {
        Session owner = signIn(tenantA, Role.OWNER);
        Route createGroup = new Route("POST", "/console/" + slugA + "/groups", Role.MAINTAINER, false);
        Response missing = call(createGroup, owner, false);
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.asString()).contains("did not come from this console");
        Response wrong = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, owner.cookie())
                .formParam("_csrf", owner.csrf() + "x").formParam("name", "forged").post(createGroup.path());
        assertThat(wrong.statusCode()).isEqualTo(403);
        Response right = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, owner.cookie())
                .formParam("_csrf", owner.csrf()).formParam("name", "genuine").post(createGroup.path());
        assertThat(right.statusCode()).isEqualTo(303);
        String groups = given().cookie(ConsoleAuthentication.COOKIE, owner.cookie()).get(createGroup.path()).asString();
        assertThat(groups).contains("genuine").doesNotContain("forged");
    }

    @Test
    void aDuplicateGroupIsRefusedInPlaceKeepingTheNameAndLinkingTheGroupItCollidesWith() {
        Session maintainer = signIn(tenantA, Role.MAINTAINER);
        ConsoleLogin login = new ConsoleLogin(null, maintainer.cookie(), maintainer.csrf());
        String groups = "/console/" + slugA + "/groups";
        Response created = login.post(groups, "name", "north site");
        assertThat(created.statusCode()).isEqualTo(303);
        String first = created.header("Location").replaceAll(".*/groups/", "");

        Response duplicate = login.post(groups, "name", " north site ");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.asString()).contains("data-testid=\"group-error\"")
                .contains("A group named north site already exists")
                .contains("href=\"/console/" + slugA + "/groups/" + first + "\"").contains("value=\" north site \"")
                .contains("Create group");
    }

    @Test
    void aGroupImportThatMostlyWorkedIsAWarningNotAnError() {
        Session maintainer = signIn(tenantA, Role.MAINTAINER);
        long group = tenantA.group("import report").id;
        String members = "/console/" + slugA + "/groups/" + group + "/members";
        Response mostly = given().cookie(ConsoleAuthentication.COOKIE, maintainer.cookie())
                .header(ConsoleAuthentication.CSRF_HEADER, maintainer.csrf())
                .multiPart("macs", "5C:CF:7F:00:10:01\n5C:CF:7F:00:10:02\nnot-a-mac").post(members);
        assertThat(mostly.statusCode()).as("some lines were refused").isEqualTo(422);
        assertThat(mostly.asString()).contains("class=\"warning\" data-testid=\"import-summary\">2 added")
                .contains("1 lines refused");
        Response none = given().cookie(ConsoleAuthentication.COOKIE, maintainer.cookie())
                .header(ConsoleAuthentication.CSRF_HEADER, maintainer.csrf()).multiPart("macs", "not-a-mac")
                .post(members);
        assertThat(none.asString()).contains("class=\"error\" data-testid=\"import-summary\">0 added");
    }

    @Test
    void everyPageNamesAnIconThatIsServed() {
        Session viewer = signIn(tenantA, Role.VIEWER);
        String login = given().get("/console/login").asString();
        String page = given().cookie(ConsoleAuthentication.COOKIE, viewer.cookie())
                .get("/console/" + slugA + "/devices").asString();
        for (String html : List.of(login, page)) {
            assertThat(html).contains("<link rel=\"icon\" href=\"/assets/favicon.svg\"");
        }
        Response icon = given().get("/assets/favicon.svg");
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.contentType()).startsWith("image/svg+xml");
    }

    @Test
    void withoutASessionTheConsoleAsksToSignIn() {
        Response page = given().redirects().follow(false).get("/console/" + slugA + "/devices?q=5C");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.header("Location"))
                .endsWith("/console/login?next=%2Fconsole%2F" + slugA + "%2Fdevices%3Fq%3D5C");
        Response htmx = given().redirects().follow(false).header("HX-Request", "true")
                .get("/console/" + slugA + "/devices");
        assertThat(htmx.statusCode()).isEqualTo(401);
        assertThat(htmx.header("HX-Redirect")).startsWith("/console/login");
        Response forged = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, "made-up")
                .formParam("name", "x").post("/console/" + slugA + "/groups");
        assertThat(forged.statusCode()).isEqualTo(303);
        assertThat(forged.header("Location")).as("a form cannot be replayed after sign-in")
                .endsWith("/console/login?next=%2Fconsole");
    }

    @Test
    void signingOutEndsTheSessionOnTheServer() {
        Session person = signIn(tenantA, Role.VIEWER);
        Response out = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, person.cookie())
                .formParam("_csrf", person.csrf()).post("/console/logout");
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.header("Location")).endsWith("/console/login");
        Response replayed = given().redirects().follow(false).cookie(ConsoleAuthentication.COOKIE, person.cookie())
                .get("/console/" + slugA);
        assertThat(replayed.statusCode()).as("the old cookie no longer signs anyone in").isEqualTo(303);
    }

    @Test
    void signInNeitherRedirectsAwayNorAcceptsForeignForms() {
        String email = "redirect-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        tenantA.as(() -> members.add(email, Role.VIEWER));
        accounts.setPassword(email, PASSWORD);
        for (String next : List.of("//evil.example/console", "https://evil.example/", "/console/login", "/\\evil",
                "/console/x y", "/console\r\nSet-Cookie: a=b", "/console/\u0000", "/consolex")) {
            Response login = given().redirects().follow(false).formParam("email", email).formParam("password", PASSWORD)
                    .formParam("next", next).post("/console/login");
            assertThat(login.header("Location")).as(next).endsWith("/console");
        }
        Response foreign = given().redirects().follow(false).header("Origin", "https://evil.example")
                .formParam("email", email).formParam("password", PASSWORD).post("/console/login");
        assertThat(foreign.statusCode()).isEqualTo(403);
        Response wrong = given().redirects().follow(false).formParam("email", email).formParam("password", "nope")
                .post("/console/login");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.asString()).contains("Wrong e-mail or password");
        assertThat(wrong.getCookie(ConsoleAuthentication.COOKIE)).isNull();
    }

    @Test
    void consolePagesForbidFramingScriptsFromElsewhereAndCaching() {
        Session person = signIn(tenantA, Role.VIEWER);
        Response page = given().cookie(ConsoleAuthentication.COOKIE, person.cookie()).get("/console/" + slugA);
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        assertThat(page.getDetailedCookie(ConsoleAuthentication.COOKIE)).isNull();
        Response login = given().redirects().follow(false).formParam("email", "nobody@example.com")
                .formParam("password", "x").post("/console/login");
        assertThat(login.header("X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void aTenantCannotTakeTheNameOfAConsolePage() {
        Response refused = given().header("Authorization", "Bearer test-bootstrap-token-0123456789")
                .contentType("application/json")
                .body("{\"slug\": \"login\", \"name\": \"Login\", \"owner\": \"o@example.com\"}")
                .post("/api/v1/tenants");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("reserved-slug");
    }
}
