package dev.firmament.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.security.LocalAccounts;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleBrowser;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;

/**
 * The console as a maintainer uses it, in a real headless Chromium: sign in, upload a release, build a group from
 * pasted MACs, add a rule, start a rollout, watch a simulated ESP8266 check in and install, find it all in the audit
 * log; and what a viewer sees and may not do.
 */
@QuarkusTest
class ConsoleJourneyTest {

    static final String PASSWORD = "a console password 1";

    @TestHTTPResource("/")
    URL base;

    @Inject
    Fleet fleet;

    @Inject
    dev.firmament.device.DeviceAdoption adoption;

    @Inject
    MemberService members;

    @Inject
    dev.firmament.targeting.GroupService groups;

    @Inject
    LocalAccounts accounts;

    static ConsoleBrowser browser;

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /** Started on first use: the application's URL is only known to a test instance. */
    ConsoleBrowser browser() {
        if (browser == null) {
            browser = new ConsoleBrowser(base);
        }
        return browser;
    }

    String person(Fleet.Tenant tenant, String name, Role role) {
        String email = name + "-" + tenant.id.toString().substring(0, 8) + "@example.com";
        tenant.as(() -> members.add(email, role));
        accounts.setPassword(email, PASSWORD);
        return email;
    }

    /** {@code count} devices with MACs from {@code oui} check in once running {@code version}, and are recorded. */
    void checkInOnce(Fleet.Tenant tenant, String oui, int count, String version) {
        try (SimulatedFleet devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update", Map.of())) {
            devices.add(oui, count, version, "00000000000000000000000000000000", Behaviour.INSTALLS);
            devices.checkInAll();
        }
        fleet.flushActivity();
    }

    @Test
    void aMaintainerShipsARelease() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String maintainer = person(tenant, "maintainer", Role.MAINTAINER);
        byte[] running = Fleet.espImage(5_000, 11);
        tenant.release("1.0.0", running, null);
        byte[] next = Fleet.espImage(9_000, 12);
        SimulatedFleet devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(next), "2.0.0"));
        List<SimulatedFleet.Device> field = devices.add("5C:CF:7F", 3, "1.0.0", Fleet.md5(running), Behaviour.INSTALLS);
        devices.add("18:FE:34", 1, "0.5.0", Fleet.md5(running), Behaviour.INSTALLS); // what the rule below is for
        devices.checkInAll();
        fleet.flushActivity();

        // A wrong password is refused on the page; the right one opens the tenant's dashboard.
        Page failed = browser().open(1280, 900);
        failed.getByLabel("E-mail").fill(maintainer);
        failed.getByLabel("Password").fill("not the password");
        failed.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(failed.getByTestId("error")).hasText("Wrong e-mail or password");
        failed.context().close();

        Page page = browser().signIn(maintainer, PASSWORD);
        assertThat(page).hasURL(Pattern.compile("/console/" + slug + "$"));
        assertThat(page.getByTestId("devices-total")).hasText("4");
        assertThat(page.getByTestId("who")).containsText("maintainer");

        // Adoption: today's devices by version; the activity chart over 30 days has a point per day.
        adoption.rollUp();
        page.getByTestId("range-30d").click();
        assertThat(page.getByTestId("range-30d")).hasAttribute("aria-current", "page");
        var charts = new com.fasterxml.jackson.databind.ObjectMapper();
        var activity = charts.readTree(page.locator("#activity-data").textContent());
        org.assertj.core.api.Assertions.assertThat(activity.at("/data/labels").size()).isEqualTo(30);
        var adopted = charts.readTree(page.locator("#adoption-data").textContent());
        org.assertj.core.api.Assertions.assertThat(adopted.at("/data/labels").size()).isEqualTo(30);
        org.assertj.core.api.Assertions.assertThat(adopted.at("/data/datasets/0/label").asText()).isEqualTo("1.0.0");
        org.assertj.core.api.Assertions.assertThat(adopted.at("/data/datasets/0/data/29").asInt()).isEqualTo(3);

        // Upload: a file that is no ESP image is refused in place, and the form keeps what was typed.
        page.navigate("/console/" + slug + "/releases");
        Path notAnImage = Files.createTempFile("notes", ".bin");
        Files.writeString(notAnImage, "this is not firmware");
        page.getByLabel("Version").fill("2.0.0");
        page.locator("input[name=firmware]").setInputFiles(notAnImage);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Upload")).click();
        assertThat(page.getByTestId("upload-error")).containsText("ESP");
        assertThat(page.getByLabel("Version")).hasValue("2.0.0");
        // The image is dropped on the form, as a person drags it from their build folder.
        List<Integer> bytes = new java.util.ArrayList<>();
        for (byte b : next) {
            bytes.add(b & 0xFF);
        }
        var dropped = page.evaluateHandle(
                "([name, bytes]) => { const transfer = new DataTransfer();"
                        + " transfer.items.add(new File([new Uint8Array(bytes)], name)); return transfer; }",
                List.of("firmware-2.0.0.bin", bytes));
        page.locator(".dropzone").first().dispatchEvent("drop", Map.of("dataTransfer", dropped));
        assertThat(page.locator(".dropzone [data-file-name]").first()).hasText("firmware-2.0.0.bin");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Upload")).click();
        page.waitForURL(Pattern.compile(".*/releases/\\d+$"));
        assertThat(page.locator("main")).containsText(Fleet.sha256(next));
        assertThat(page.locator("#flash")).containsText("Release 2.0.0 uploaded");
        String releaseId = page.url().replaceAll(".*/", "");
        ConsoleBrowser.screenshot(page, "release");

        // A group from pasted MACs, in several notations, with a bad line reported by number.
        page.navigate("/console/" + slug + "/groups");
        page.getByLabel("Group name").fill("canaries");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create group")).click();
        page.waitForURL(Pattern.compile(".*/groups/\\d+$"));
        page.getByTestId("group-macs")
                .fill(field.get(0).mac + "\n" + field.get(1).mac.replace(":", "").toLowerCase() + "\nnot-a-mac\n");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add to group")).click();
        assertThat(page.getByTestId("import-result")).containsText("2 added");
        assertThat(page.getByTestId("import-result")).containsText("not-a-mac");
        assertThat(page.getByTestId("group-members")).containsText(field.get(1).mac);
        ConsoleBrowser.screenshot(page, "group");

        // A rule, with the live count of the devices it matches while it is typed.
        page.navigate("/console/" + slug + "/rules");
        page.locator("#rule-form select[name=product]").selectOption("SONOFF_BASIC");
        page.getByLabel("Version to (≤)").fill("0.9.0");
        assertThat(page.getByTestId("live-count")).hasText("1 registered devices match these conditions");
        page.locator("#rule-form select[name=release]").selectOption(releaseId);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add rule")).click();
        assertThat(page.locator("#flash")).containsText("Rule added at position 1");
        assertThat(page.getByTestId("rules")).containsText("<= 0.9.0");
        ConsoleBrowser.screenshot(page, "rules");

        // A rollout to the canary group, started after confirming.
        page.navigate("/console/" + slug + "/rollouts/new");
        page.getByLabel("Name").first().fill("2.0.0 to the canaries");
        page.locator("select[name=release]").selectOption(releaseId);
        page.getByLabel("Wave 0 group")
                .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("canaries"));
        page.getByLabel("Wave 0 share").fill("");
        ConsoleBrowser.screenshot(page, "rollout-new");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create draft")).click();
        page.waitForURL(Pattern.compile(".*/rollouts/\\d+$"));
        assertThat(page.getByTestId("rollout-state")).hasText("draft");
        page.onceDialog(dialog -> dialog.accept());
        page.getByTestId("start").click();
        assertThat(page.getByTestId("rollout-state")).hasText("running");

        // The canaries check in, download and come back running 2.0.0; the page follows without a reload.
        page.evaluate("window.stillTheSamePage = true");
        assertThat(devices.checkIn(field)).hasSize(2);
        fleet.flushActivity();
        // Offered and not yet back: the list says what they are updating to, in versions.
        org.assertj.core.api.Assertions
                .assertThat(page.request().get("/console/" + slug + "/devices?status=pending").text())
                .contains("updating to 2.0.0").doesNotContain("update #");
        devices.checkIn(field);
        fleet.flushActivity();
        assertThat(page.getByTestId("rollout-installed")).hasText("2",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(10_000));
        assertThat(page.evaluate("window.stillTheSamePage")).isEqualTo(true);

        // The device shows up in the registry, with what it reported.
        page.navigate("/console/" + slug + "/devices");
        page.getByTestId("device-search").fill(field.get(0).mac);
        assertThat(page.getByTestId("device-count")).containsText("1 devices");
        page.getByText(field.get(0).mac).click();
        assertThat(page.getByTestId("device-version")).hasText("2.0.0");
        assertThat(page.locator("main")).containsText("installed");
        ConsoleBrowser.screenshot(page, "device");

        // The release's page lists who pulled it and that it installed.
        page.navigate("/console/" + slug + "/releases/" + releaseId);
        assertThat(page.locator("main table").last()).containsText(field.get(0).mac);
        assertThat(page.locator("main table").last().locator(".badge.installed")).hasCount(2);
        // Its firmware downloads byte for byte, as devices get it.
        var downloaded = page.request().get(page.getByTestId("download-firmware").getAttribute("href"));
        org.assertj.core.api.Assertions.assertThat(downloaded.body()).isEqualTo(next);
        // and how far it spread today: two of the four devices seen run it.
        adoption.rollUp();
        page.reload();
        var spread = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(page.locator("#spread-data").textContent());
        org.assertj.core.api.Assertions.assertThat(spread.at("/data/datasets/0/label").asText())
                .isEqualTo("all devices");
        org.assertj.core.api.Assertions.assertThat(spread.at("/data/datasets/0/data/29").asDouble()).isEqualTo(50.0);

        // Every change is in the audit log, attributed to the maintainer.
        page.navigate("/console/" + slug + "/audit");
        for (String action : List.of("release.create", "group.create", "group.add-members", "rule.create",
                "rollout.create", "rollout.start")) {
            assertThat(page.getByTestId("audit")).containsText(action);
        }
        page.navigate("/console/" + slug + "/audit?action=rollout.start");
        assertThat(page.getByTestId("audit").locator("tbody tr")).hasCount(1);
        assertThat(page.getByTestId("audit")).containsText(maintainer);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify the hash chain")).click();
        assertThat(page.getByTestId("chain")).containsText("chain intact");

        page.navigate("/console/" + slug);
        ConsoleBrowser.screenshot(page, "dashboard");
        page.navigate("/console/" + slug + "/devices");
        ConsoleBrowser.screenshot(page, "devices");
        page.navigate("/console/" + slug + "/settings");
        ConsoleBrowser.screenshot(page, "settings");
        devices.close();
        page.context().close();
    }

    @Test
    void aViewerSeesEverythingAndChangesNothing() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String viewer = person(tenant, "viewer", Role.VIEWER);
        tenant.release("1.0.0", Fleet.espImage(5_000, 21), null);

        Page page = browser().signIn(viewer, PASSWORD);
        for (String section : List.of("", "/devices", "/releases", "/rules", "/groups", "/rollouts", "/audit",
                "/settings")) {
            page.navigate("/console/" + slug + section);
            assertThat(page.locator("main")).not().containsText("Something went wrong");
            assertThat(page.locator("main form[method=post]:not([action$='/audit/verify'])")).hasCount(0);
        }
        page.navigate("/console/" + slug + "/releases");
        assertThat(page.getByText("1.0.0")).isVisible();

        // Forging the request does not help: the server refuses it with the reason, and nothing is created.
        String csrf = page.locator("input[name=_csrf]").first().inputValue();
        var refused = page.request().post("/console/" + slug + "/groups",
                RequestOptions.create().setForm(FormData.create().set("_csrf", csrf).set("name", "sneaky")));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text()).contains("This needs the maintainer role; you are viewer");
        page.navigate("/console/" + slug + "/groups");
        assertThat(page.locator("main")).not().containsText("sneaky");
        page.context().close();
    }

    @Test
    void deviceReportedStringsAreShownAsTextNeverRun() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String maintainer = person(tenant, "escaper", Role.MAINTAINER);
        String hostile = "<img src=x onerror=alert(1)>";
        checkInOnce(tenant, "AC:67:B2", 1, hostile);

        Page page = browser().signIn(maintainer, PASSWORD);
        AtomicReference<String> dialog = new AtomicReference<>();
        page.onDialog(d -> {
            dialog.set(d.message());
            d.dismiss();
        });
        page.navigate("/console/" + slug + "/devices");
        assertThat(page.locator("#device-table")).containsText(hostile);
        page.navigate("/console/" + slug);
        page.navigate("/console/" + slug + "/devices/AC:67:B2:00:00:00");
        assertThat(page.getByTestId("device-version")).hasText(hostile);
        assertThat(dialog.get()).isNull();
        assertThat(page.locator("main img")).hasCount(0);
        page.context().close();
    }

    @Test
    void groupMembersAreSearchedTickedAndRemovedInBulk() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String maintainer = person(tenant, "members", Role.MAINTAINER);
        checkInOnce(tenant, "5C:CF:7F", 3, "1.0.0");
        List<String> macs = new java.util.ArrayList<>(
                List.of("5C:CF:7F:00:00:00", "5C:CF:7F:00:00:01", "5C:CF:7F:00:00:02"));
        for (int i = 0; i < 120; i++) {
            macs.add(String.format("A0:20:A6:00:%02X:%02X", i / 256, i % 256)); // never seen
        }
        long group = tenant.group("lab", macs.toArray(String[]::new)).id;
        Page page = browser().signIn(maintainer, PASSWORD);
        page.navigate("/console/" + slug + "/groups/" + group);

        // What each member runs and when it was last seen; the rest on the next page.
        var rows = page.getByTestId("group-members").locator("tbody tr");
        assertThat(rows).hasCount(100);
        assertThat(rows.first()).containsText("5C:CF:7F:00:00:00");
        assertThat(rows.first()).containsText("1.0.0");
        assertThat(rows.first()).containsText("SONOFF_BASIC");
        page.getByTestId("members-next").click();
        assertThat(page.getByTestId("group-members").locator("tbody tr")).hasCount(23);
        assertThat(page.getByTestId("group-members").locator("tbody tr").last()).containsText("A0:20:A6:00:00:77");
        assertThat(page.getByTestId("group-members").locator("tbody tr").last()).containsText("never seen");

        // Search as you type, by version or by MAC in any notation.
        page.getByLabel("Search members").fill("1.0.0");
        assertThat(page.getByTestId("group-members").locator("tbody tr")).hasCount(3);
        assertThat(page).hasURL(Pattern.compile(".*q=1\\.0\\.0.*"));
        page.getByLabel("Search members").fill("5ccf7f000001");
        assertThat(page.getByTestId("group-members").locator("tbody tr")).hasCount(1);
        assertThat(page.getByTestId("group-members")).containsText("5C:CF:7F:00:00:01");

        // Removing nothing is said in place, on the same search; all ticked go in one step.
        page.navigate("/console/" + slug + "/groups/" + group + "?q=5C:CF");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove ticked from the group")).click();
        assertThat(page.getByTestId("members-error")).hasText("Tick at least one member first");
        assertThat(page.getByLabel("Search members")).hasValue("5C:CF");
        page.getByLabel("Tick all members").check();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove ticked from the group")).click();
        assertThat(page.locator("#flash")).containsText("3 members removed from the group");
        assertThat(page.getByLabel("Search members")).hasValue("5C:CF");
        assertThat(page.getByTestId("group-members")).containsText("No member matches");
        assertThat(tenant.as(() -> groups.members(group))).hasSize(120).noneMatch(mac -> mac.startsWith("5C:CF"));
        page.context().close();
    }

    @Test
    void anOwnerSetsUpKeysTokensAndPeople() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String owner = person(tenant, "owner", Role.OWNER);
        Fleet.Tenant second = fleet.tenant("SONOFF_BASIC");
        second.as(() -> members.add(owner, Role.VIEWER));
        Page page = browser().signIn(owner, PASSWORD);

        // People in two tenants choose; the menu switches.
        assertThat(page).hasURL(Pattern.compile(".*/console$"));
        page.locator("main a[href='/console/" + slug + "']").click();
        page.waitForURL(Pattern.compile(".*/console/" + slug + "$"));
        page.navigate("/console/" + slug + "/settings");
        assertThat(page.locator("details.dropdown a")).hasCount(2);

        // A device key: shown once, inside ready-to-paste client code, and it works for a device.
        page.getByLabel("Key name").fill("workshop");
        page.getByLabel("Product of new devices").selectOption("SONOFF_BASIC");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create device key")).click();
        String updateUrl = page.getByTestId("update-url").textContent();
        assertThat(page.locator("pre.snippet").first()).containsText("ESPhttpUpdate.update(client, UPDATE_URL");
        assertThat(page.locator("pre.snippet").first()).containsText(updateUrl);
        assertThat(page.locator("pre.snippet").nth(2)).containsText(updateUrl.replace("/update", "/nofuss"));
        var checkIn = page.request().get(updateUrl,
                RequestOptions.create().setHeader("User-Agent", "ESP8266-http-Update")
                        .setHeader("x-ESP8266-STA-MAC", "5C:CF:7F:01:02:03").setHeader("x-ESP8266-mode", "sketch")
                        .setHeader("x-ESP8266-version", "1.0.0"));
        assertThat(checkIn.status()).as("the new key is accepted by the device endpoint").isEqualTo(304);
        // A hand-off: the URL copies to the clipboard, a loopback address is called out with the setting to change,
        // and the guide it links to is there.
        page.context().grantPermissions(List.of("clipboard-read", "clipboard-write"));
        page.getByTestId("copy-update-url").click();
        assertThat(page.getByTestId("copy-update-url")).hasText("Copied");
        assertThat(page.evaluate("navigator.clipboard.readText()")).isEqualTo(updateUrl);
        assertThat(page.getByTestId("url-warning")).containsText("Devices cannot reach these URLs");
        assertThat(page.getByTestId("url-warning")).containsText("FIRMAMENT_PUBLIC_URL");
        var guide = page.request().get(
                page.locator("a", new Page.LocatorOptions().setHasText("device guide")).first().getAttribute("href"));
        assertThat(guide.status()).isEqualTo(200);
        assertThat(guide.text()).contains("PlatformIO");
        ConsoleBrowser.screenshot(page, "device-key");

        // An API token: shown once, and the API accepts it with its role.
        page.navigate("/console/" + slug + "/settings");
        page.getByLabel("Token name").fill("ci");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
        String token = page.getByTestId("api-token").textContent().trim();
        var releases = page.request().get("/api/v1/tenants/" + slug + "/releases",
                RequestOptions.create().setHeader("Authorization", "Bearer " + token));
        assertThat(releases.status()).isEqualTo(200);
        page.navigate("/console/" + slug + "/settings");
        assertThat(page.locator("main")).not().containsText(token);

        // A new person gets an invitation link once; on it they choose their password and arrive as what they were
        // made.
        page.getByLabel("E-mail").fill("newcomer-" + slug + "@example.com");
        page.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).last().selectOption("maintainer");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add member")).click();
        String invitation = page.getByTestId("invitation-url").textContent().trim();
        ConsoleBrowser.screenshot(page, "member-invited");
        Page newcomer = browser().open(1280, 900);
        newcomer.navigate(invitation);
        assertThat(newcomer.getByTestId("invited-email")).hasText("newcomer-" + slug + "@example.com");
        newcomer.getByLabel("Password").fill("the newcomer's password");
        newcomer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set password and sign in")).click();
        assertThat(newcomer.getByTestId("who")).containsText("maintainer");
        newcomer.navigate(invitation);
        assertThat(newcomer.getByTestId("invalid-link")).isVisible();
        newcomer.context().close();

        // Roles change in place.
        page.navigate("/console/" + slug + "/settings");
        page.getByLabel("Role of newcomer-" + slug + "@example.com").selectOption("viewer");
        page.getByLabel("Role of newcomer-" + slug + "@example.com").locator("xpath=..")
                .getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Change"))
                .click();
        assertThat(page.locator("#flash")).containsText("is now viewer");
        page.context().close();
    }

    @Test
    void rulesAreReorderedEditedImportedAndDevicesHandledInBulk() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String maintainer = person(tenant, "bulk", Role.MAINTAINER);
        tenant.release("1.0.0", Fleet.espImage(5_000, 41), null);
        tenant.release("1.1.0", Fleet.espImage(5_000, 42), null);
        checkInOnce(tenant, "5C:CF:7F", 3, "0.1.0");
        Page page = browser().signIn(maintainer, PASSWORD);

        // NoFUSS import: a bad entry refuses the whole file, with its number; a good file becomes two rules.
        page.navigate("/console/" + slug + "/rules");
        page.getByLabel("Paste a versions.json")
                .fill("[{\"origin\": {\"device\": \"SONOFF_BASIC\"}," + " \"target\": {\"version\": \"9.9.9\"}}]");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import")).click();
        assertThat(page.getByTestId("import-error")).containsText("9.9.9");
        assertThat(page.getByTestId("import-error")).containsText("entry 1:"); // counted as people count
        assertThat(page.getByLabel("Paste a versions.json"))
                .hasValue("[{\"origin\": {\"device\": \"SONOFF_BASIC\"}, \"target\": {\"version\": \"9.9.9\"}}]");
        assertThat(page.getByTestId("rules").locator("tbody tr")).hasCount(1); // the "no rule yet" row
        page.getByLabel("Paste a versions.json").fill("[{\"origin\": nope}]");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import")).click();
        assertThat(page.getByTestId("import-error")).containsText("unexpected \u201cnope\u201d at line 1, column 13");
        assertThat(page.getByTestId("import-error")).not().containsText("was expecting");
        assertThat(page.getByLabel("Paste a versions.json")).hasValue("[{\"origin\": nope}]");
        page.getByLabel("Paste a versions.json")
                .fill("[{\"origin\": {\"device\": \"SONOFF_BASIC\","
                        + " \"max\": \"0.5.0\"}, \"target\": {\"version\": \"1.0.0\"}},"
                        + " {\"origin\": {\"device\": \"SONOFF_BASIC\"}, \"target\": {\"version\": \"1.1.0\"}}]");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import")).click();
        assertThat(page.locator("#flash")).containsText("2 rules imported");
        var rows = page.getByTestId("rules").locator("tbody tr");
        assertThat(rows.nth(0)).containsText("1.0.0");
        assertThat(rows.nth(0)).containsText("3"); // all three devices run 0.1.0 <= 0.5.0

        // Reorder: the catch-all moves first.
        rows.nth(1).getByLabel("Move up").click();
        assertThat(page.getByTestId("rules").locator("tbody tr").nth(0)).containsText("1.1.0");
        var export = page.request().get("/console/" + slug + "/rules/export.json");
        assertThat(export.text()).contains("\"1.1.0\"");
        assertThat(export.text().indexOf("1.1.0")).isLessThan(export.text().indexOf("\"1.0.0\""));

        // Edit keeps the place; a bad condition is explained in the form.
        page.getByTestId("rules").locator("tbody tr").nth(1).getByText("Edit").click();
        page.getByLabel("More conditions").fill(">= 0.2.0\nbogus");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save rule")).click();
        assertThat(page.getByTestId("rule-error")).containsText("operator and a version");
        page.getByLabel("More conditions").fill("!= 0.3.0");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save rule")).click();
        assertThat(page.getByTestId("rules").locator("tbody tr").nth(1)).containsText("!= 0.3.0");

        // Bulk: tick every device, block them in one go, then put them in a group.
        page.navigate("/console/" + slug + "/groups");
        page.getByLabel("Group name").fill("lab");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create group")).click();
        page.navigate("/console/" + slug + "/devices");
        page.getByLabel("Tick all").check();
        page.getByLabel("Bulk action").selectOption("block");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply to ticked devices")).click();
        assertThat(page.locator("#flash")).containsText("3 devices blocked");
        assertThat(page.locator("#device-table .badge.blocked")).hasCount(3);
        page.getByLabel("Tick all").check();
        page.getByLabel("Bulk action").selectOption("group");
        page.getByLabel("Group", new Page.GetByLabelOptions().setExact(true)).last()
                .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("lab"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply to ticked devices")).click();
        assertThat(page.locator("#flash")).containsText("3 of 3 devices added to the group");

        // The list exports as filtered: every blocked device with its groups, and one device's history.
        page.navigate("/console/" + slug + "/devices?status=blocked");
        var devicesCsv = page.request().get(page.getByTestId("export-devices-csv").getAttribute("href"));
        assertThat(devicesCsv.headers().get("content-type")).startsWith("text/csv");
        assertThat(devicesCsv.text().lines().count()).isEqualTo(4);
        assertThat(devicesCsv.text()).contains("\"lab\"");
        page.locator("#device-table tbody a").first().click();
        var history = page.request().get(page.getByTestId("export-history").getAttribute("href"));
        assertThat(history.text().lines().findFirst())
                .hasValue(String.join(",", dev.firmament.device.DeviceQueries.EVENT_EXPORT_COLUMNS));

        // The dashboard's recent changes name what changed, in words.
        page.navigate("/console/" + slug);
        assertThat(page.getByTestId("change-target")
                .filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText("group lab")).first())
                        .isVisible();

        // The audit log exports what happened as CSV.
        var csv = page.request().get("/console/" + slug + "/audit/export?action=device.block");
        assertThat(csv.headers().get("content-type")).startsWith("text/csv");
        assertThat(csv.text().lines().count()).isEqualTo(4);
        page.context().close();
    }
}
