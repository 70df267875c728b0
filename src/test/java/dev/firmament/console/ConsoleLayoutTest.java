package dev.firmament.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.release.Release;
import dev.firmament.rollout.RolloutService;
import dev.firmament.security.LocalAccounts;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleBrowser;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;

/**
 * Every console page, at a phone's width and a laptop's, in a real headless Chromium: nothing scrolls sideways, every
 * control a person has to hit is at least 16 × 16 px, and the lists read as stacked cards on a phone. The pages are
 * read from the page classes, so a new page fails here until it is visited.
 */
@QuarkusTest
class ConsoleLayoutTest {

    static final String PASSWORD = "a layout password 1";
    static final String ADMIN = "admin@firmament.local";
    static final String ADMIN_PASSWORD = "test-admin-password-0123";

    /** Every class that renders console pages. */
    static final List<Class<?>> PAGE_CLASSES = List.of(DashboardPage.class, DevicesPage.class, ReleasesPage.class,
            RulesPage.class, GroupsPage.class, RolloutsPage.class, AuditPage.class, SettingsPage.class,
            WebhooksPage.class, PlatformPage.class, PlatformAuditPage.class, SignInPage.class, AccountPage.class);

    /** GET routes that are downloads, redirects or fragments, never a page a person reads. */
    static final Set<String> NOT_PAGES = Set.of("/console/{tenant}/audit/export", "/console/{tenant}/devices/export",
            "/console/{tenant}/devices/events/export", "/console/{tenant}/releases/products/{name}/public.key",
            "/console/{tenant}/releases/{id}/firmware", "/console/{tenant}/releases/{id}/filesystem",
            "/console/{tenant}/rollouts/{id}/live", "/console/{tenant}/rules/export.json",
            "/console/platform/audit/export", "/console/login/oidc");

    /** Finds every visible control smaller than 16 × 16 px, described for the failure message. */
    static final String UNDERSIZED_CONTROLS = """
            () => Array.from(document.querySelectorAll(
                'input:not([type=hidden]), select, textarea, button, summary, [role=button]'))
              .map(e => [e, e.getBoundingClientRect()])
              .filter(([e, r]) => r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden')
              .filter(([e, r]) => r.width < 16 || r.height < 16)
              .map(([e, r]) => e.outerHTML.slice(0, 100) + ' is ' + r.width.toFixed(1) + ' x ' + r.height.toFixed(1))
            """;

    /** The innermost elements that reach past the window's right edge: what makes a page scroll sideways. */
    static final String TOO_WIDE = """
            () => Array.from(document.body.querySelectorAll('*'))
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
              .filter(e => { for (let p = e.parentElement; p; p = p.parentElement) {
                  if (getComputedStyle(p).overflowX !== 'visible') { return false; } } return true; })
              .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
              .slice(0, 3).map(e => e.outerHTML.slice(0, 100))
            """;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    @Inject
    LocalAccounts accounts;

    @Inject
    RolloutService rollouts;

    @Inject
    dev.firmament.webhook.WebhookService webhooks;

    static ConsoleBrowser browser;

    Fleet.Tenant tenant;
    String slug;
    String owner;
    /** Every page a person can open, with the route it is an instance of. */
    Map<String, String> pages = new LinkedHashMap<>();
    /** What is wrong, over every page a test visits: all of it is reported at once. */
    List<String> problems = new ArrayList<>();

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    ConsoleBrowser browser() {
        if (browser == null) {
            browser = new ConsoleBrowser(base);
        }
        return browser;
    }

    /** A tenant with one of everything, so that every page has rows to lay out. */
    @BeforeEach
    void aTenantWithOneOfEverything() {
        tenant = fleet.tenant("SONOFF_BASIC");
        slug = fleet.slugOf(tenant.id);
        owner = "layout-" + tenant.id.toString().substring(0, 8) + "@example.com";
        tenant.as(() -> members.add(owner, Role.OWNER));
        accounts.setPassword(owner, PASSWORD);
        fleet.tenant("SONOFF_BASIC").as(() -> members.add(owner, Role.VIEWER));
        Release v1 = tenant.release("1.0.0", Fleet.espImage(5_000, 51), null);
        Release v2 = tenant.release("2.0.0", Fleet.espImage(5_000, 52), null);
        try (SimulatedFleet devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update", Map.of())) {
            devices.add("5C:CF:7F", 3, "1.0.0", Fleet.md5(Fleet.espImage(5_000, 51)), Behaviour.INSTALLS);
            devices.checkInAll();
        }
        fleet.flushActivity();
        long rule = tenant.rule(v1, null, "0.9.0").id;
        long group = tenant.group("canaries", "5C:CF:7F:00:00:00", "5C:CF:7F:00:00:01").id;
        long rollout = tenant.as(() -> rollouts
                .create(new RolloutService.RolloutSpec("2.0.0 behind canaries", v2.id, null, List.of(), List.of(),
                        List.of(new RolloutService.WaveSpec("canaries", List.of(group), null,
                                java.math.BigDecimal.valueOf(75), java.math.BigDecimal.valueOf(20), 0, null),
                                new RolloutService.WaveSpec("everyone", List.of(), java.math.BigDecimal.valueOf(100),
                                        null, null, 0, null)),
                        null, null, false))
                .rollout().id);
        long running = tenant.as(() -> {
            long id = rollouts
                    .create(new RolloutService.RolloutSpec("2.0.0 to the canaries", v2.id, null, List.of(), List.of(),
                            List.of(new RolloutService.WaveSpec("canaries", List.of(group), null, null, null, 0, null)),
                            null, null, false))
                    .rollout().id;
            rollouts.start(id, false);
            return id;
        });

        String t = "/console/" + slug;
        pages.put(t, "/console/{tenant}");
        pages.put(t + "?range=30d", "/console/{tenant}");
        pages.put(t + "/devices", "/console/{tenant}/devices");
        pages.put(t + "/devices/5C:CF:7F:00:00:00", "/console/{tenant}/devices/{mac}");
        pages.put(t + "/releases", "/console/{tenant}/releases");
        pages.put(t + "/releases/products/SONOFF_BASIC", "/console/{tenant}/releases/products/{name}");
        pages.put(t + "/releases/" + v1.id, "/console/{tenant}/releases/{id}");
        pages.put(t + "/rules", "/console/{tenant}/rules");
        pages.put(t + "/rules/" + rule + "/edit", "/console/{tenant}/rules/{id}/edit");
        pages.put(t + "/groups", "/console/{tenant}/groups");
        pages.put(t + "/groups/" + group, "/console/{tenant}/groups/{id}");
        pages.put(t + "/rollouts", "/console/{tenant}/rollouts");
        pages.put(t + "/rollouts/new", "/console/{tenant}/rollouts/new");
        pages.put(t + "/rollouts/" + rollout, "/console/{tenant}/rollouts/{id}");
        pages.put(t + "/rollouts/" + rollout + "/edit", "/console/{tenant}/rollouts/{id}/edit");
        pages.put(t + "/rollouts/" + running, "/console/{tenant}/rollouts/{id}");
        pages.put(t + "/rollouts/" + running + "?hold=already-installed&wave=0", "/console/{tenant}/rollouts/{id}");
        pages.put(t + "/audit", "/console/{tenant}/audit");
        pages.put(t + "/settings", "/console/{tenant}/settings");
        long webhook = tenant.as(() -> {
            var created = webhooks.create(new dev.firmament.webhook.WebhookService.Spec("http://127.0.0.1:9/firmament",
                    List.of("rollout.paused", "device.failed"), "standard", true));
            webhooks.sendTest(created.subscription().id);
            return created.subscription().id;
        });
        pages.put(t + "/webhooks", "/console/{tenant}/webhooks");
        pages.put(t + "/webhooks/" + webhook, "/console/{tenant}/webhooks/{id}");
        pages.put("/console/account", "/console/account");
        // The tenant chooser, for the owner is in two tenants (people in one go straight to theirs).
        pages.put("/console", "/console");
    }

    @Test
    void everyPageIsVisitedHere() {
        List<String> routes = new ArrayList<>();
        for (Class<?> page : PAGE_CLASSES) {
            String root = page.getAnnotation(Path.class).value().replaceAll("\\{tenant[^}]*}", "{tenant}");
            for (Method method : page.getDeclaredMethods()) {
                if (method.isAnnotationPresent(GET.class)) {
                    Path sub = method.getAnnotation(Path.class);
                    routes.add(root + (sub == null ? "" : "/" + sub.value()));
                }
            }
        }
        Set<String> visited = new java.util.HashSet<>(pages.values());
        // Seen by other people or on the way in, in the tests below.
        visited.addAll(List.of("/console/platform", "/console/platform/audit", "/console/login",
                "/console/invitations/{token}"));
        assertThat(routes).filteredOn(route -> !NOT_PAGES.contains(route)).allSatisfy(
                route -> assertThat(visited).as("the pages this test visits include %s", route).contains(route));
    }

    @Test
    void onAPhoneNothingScrollsSidewaysListsStackAndEveryControlCanBeHit() {
        Page page = browser().signIn(owner, PASSWORD, 390, 844);
        for (String path : pages.keySet()) {
            checkLayout(page, path);
        }
        for (String list : List.of("/devices", "/releases", "/rollouts", "/audit", "/devices/5C:CF:7F:00:00:00")) {
            page.navigate("/console/" + slug + list);
            assertThat(page.evaluate("getComputedStyle(document.querySelector('table.stacked tbody tr')).display"))
                    .as("the rows of %s on a phone", list).isEqualTo("block");
            assertThat(page.locator("table.stacked thead").first().isVisible()).isFalse();
        }
        // The navigation leaves most of the first screen to the page.
        page.navigate("/console/" + slug + "/devices");
        double navigation = ((Number) page.evaluate("document.querySelector('header.topbar').offsetHeight"))
                .doubleValue();
        assertThat(navigation).as("height of the navigation on an 844 px screen").isLessThan(844 * 0.15);
        page.navigate("/console/" + slug);
        ConsoleBrowser.screenshot(page, "dashboard-phone");
        page.navigate("/console/" + slug + "/devices");
        ConsoleBrowser.screenshot(page, "devices-phone");
        checkPagesMadeByForms(page, "phone");
        page.context().close();
        assertThat(problems).isEmpty();
    }

    @Test
    void onALaptopNothingScrollsSidewaysAndEveryControlCanBeHit() {
        Page page = browser().signIn(owner, PASSWORD, 1366, 900);
        for (String path : pages.keySet()) {
            checkLayout(page, path);
        }
        page.navigate("/console/" + slug + "/devices");
        assertThat(page.locator("table.stacked thead").first().isVisible()).isTrue();
        checkPagesMadeByForms(page, "laptop");
        page.context().close();
        assertThat(problems).isEmpty();
    }

    @Test
    void thePlatformAndSignInPagesFitTooAtBothWidths() {
        for (int width : new int[] { 390, 1366 }) {
            Page admin = browser().signIn(ADMIN, ADMIN_PASSWORD, width, 844);
            checkLayout(admin, "/console/platform");
            checkLayout(admin, "/console/platform/audit");
            admin.context().close();
            Page stranger = browser().open(width, 844);
            checkLayout(stranger, "/console/login");
            stranger.context().close();
        }
        assertThat(problems).isEmpty();
    }

    /** Pages that only a form's answer shows: a new device key, token and invitation, and the invitation's page. */
    void checkPagesMadeByForms(Page page, String size) {
        page.navigate("/console/" + slug + "/settings");
        page.getByLabel("Key name").fill("layout-" + size);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create device key")).click();
        page.getByTestId("update-url").waitFor();
        checkLayout(page, null);
        page.navigate("/console/" + slug + "/settings");
        page.getByLabel("Token name").fill("layout-" + size);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
        page.getByTestId("api-token").waitFor();
        checkLayout(page, null);
        page.navigate("/console/" + slug + "/settings");
        page.getByLabel("E-mail").fill("invited-" + size + "-" + slug + "@example.com");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add member")).click();
        String invitation = page.getByTestId("invitation-url").textContent().trim();
        checkLayout(page, null);
        Page newcomer = browser().open((int) page.viewportSize().width, 844);
        checkLayout(newcomer, invitation);
        newcomer.context().close();
    }

    /** Opens {@code path} (or stays, when null) and notes what is wrong with it at the window's width. */
    void checkLayout(Page page, String path) {
        if (path != null) {
            var response = page.navigate(path);
            assertThat(response.status()).as("%s", path).isEqualTo(200);
        }
        String where = page.url().replace(base.toString(), "/") + " at " + page.viewportSize().width + " px";
        int overflow = ((Number) page.evaluate("document.documentElement.scrollWidth - window.innerWidth")).intValue();
        if (overflow > 0) {
            problems.add(where + " scrolls " + overflow + " px sideways, for " + page.evaluate(TOO_WIDE));
        }
        for (Object control : (List<?>) page.evaluate(UNDERSIZED_CONTROLS)) {
            problems.add(where + ": " + control);
        }
        assertThat(page.content()).as(where).doesNotContain("Something went wrong");
    }
}
