package dev.firmament.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.release.Release;
import dev.firmament.rollout.RolloutEngine;
import dev.firmament.rollout.RolloutService;
import dev.firmament.security.LocalAccounts;
import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleBrowser;
import dev.firmament.testing.Fleet;
import dev.firmament.testing.SimulatedFleet;
import dev.firmament.testing.SimulatedFleet.Behaviour;
import dev.firmament.testing.SimulatedFleet.Device;

/**
 * A rollout in the console, as a maintainer goes through it in a real browser: the draft's definition and preview,
 * editing it, starting it, the live page following the engine (state, message, controls, counts) without a reload, the
 * holds panel and its devices, and a device's timeline in words.
 */
@QuarkusTest
class RolloutConsoleTest {

    static final String PASSWORD = "a console password 1";
    static final LocatorAssertions.HasTextOptions PATIENTLY = new LocatorAssertions.HasTextOptions().setTimeout(10_000);

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
    RolloutEngine engine;

    static ConsoleBrowser browser;

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aMaintainerPreviewsEditsStartsAndFollowsARollout() throws Exception {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        String email = "maintainer-" + tenant.id.toString().substring(0, 8) + "@example.com";
        tenant.as(() -> members.add(email, Role.MAINTAINER));
        accounts.setPassword(email, PASSWORD);
        byte[] image1 = Fleet.espImage(5_000, 21);
        byte[] image2 = Fleet.espImage(9_000, 22);
        tenant.release("1.0.0", image1, null);
        Release v2 = tenant.release("2.0.0", image2, null);
        SimulatedFleet devices = new SimulatedFleet(base + "d/" + tenant.deviceKey + "/update",
                Map.of(Fleet.md5(image1), "1.0.0", Fleet.md5(image2), "2.0.0"));
        try (devices) {
            List<Device> fleetDevices = devices.add("5C:CF:7F", 20, "1.0.0", Fleet.md5(image1), Behaviour.INSTALLS);
            List<Device> small = devices.add("A0:20:A6", 2, "1.0.0", Fleet.md5(image1), Behaviour.INSTALLS);
            devices.checkIn(fleetDevices);
            devices.freeSpace = 4_096;
            devices.checkIn(small);
            devices.freeSpace = 1_000_000;
            fleet.flushActivity();
            List<Device> canaries = fleetDevices.subList(0, 3);
            long group = tenant.group("canaries", canaries.get(0).mac, canaries.get(1).mac, canaries.get(2).mac,
                    "0C:8B:95:00:00:00").id;
            long id = tenant.as(() -> rollouts.create(new RolloutService.RolloutSpec("2.0.0 behind canaries", v2.id,
                    null, List.of(), List.of(),
                    List.of(new RolloutService.WaveSpec("canaries", List.of(group), null,
                            java.math.BigDecimal.valueOf(75), java.math.BigDecimal.valueOf(20), 0, null),
                            new RolloutService.WaveSpec("everyone", List.of(), java.math.BigDecimal.valueOf(100), null,
                                    null, 0, null)),
                    null, null, false)).rollout().id);

            if (browser == null) {
                browser = new ConsoleBrowser(base);
            }
            Page page = browser.signIn(email, PASSWORD);
            page.navigate("/console/" + slug + "/rollouts/" + id);

            // The draft says what it is and what it would do.
            assertThat(page.getByTestId("rollout-state")).hasText("draft");
            assertThat(page.getByTestId("definition")).containsText("canaries");
            assertThat(page.getByTestId("definition")).containsText("100 % of the fleet");
            assertThat(page.getByTestId("preview-devices-0")).hasText("4");
            assertThat(page.getByTestId("preview-wave-0")).containsText("1.0.0: 3, never seen: 1");
            assertThat(page.getByTestId("preview-devices-1")).hasText("19");
            assertThat(page.getByTestId("warning-larger-than-free-space")).containsText("2");
            assertThat(page.getByTestId("warning-larger-than-free-space")).containsText("8.8 KiB image");
            assertThat(page.getByTestId("warning-never-seen")).containsText("1");
            ConsoleBrowser.screenshot(page, "rollout-draft");

            // Editing keeps what was typed when it is refused, and saves when it is right.
            page.getByTestId("edit").click();
            page.waitForURL(Pattern.compile(".*/rollouts/" + id + "/edit$"));
            page.getByLabel("Version from (≥)").fill("2.0");
            page.getByLabel("Version to (≤)").fill("1.0");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save draft")).click();
            assertThat(page.getByTestId("rollout-error")).containsText("no version is >= 2.0 and <= 1.0");
            assertThat(page.getByLabel("Version from (≥)")).hasValue("2.0");
            page.getByLabel("Version from (≥)").fill("");
            page.getByLabel("Version to (≤)").fill("");
            page.getByLabel("Name").first().fill("2.0.0 carefully");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save draft")).click();
            page.waitForURL(Pattern.compile(".*/rollouts/" + id + "$"));
            assertThat(page.locator("h2")).containsText("2.0.0 carefully");

            // Started, the page follows the engine without a reload: a failing canary pauses the rollout.
            page.onceDialog(dialog -> dialog.accept());
            page.getByTestId("start").click();
            assertThat(page.getByTestId("rollout-state")).hasText("running");
            assertThat(page.getByTestId("rollout-status")).hasText("Running: 1 of 2 waves open.");
            page.evaluate("window.stillTheSamePage = true");
            assertThat(page.getByTestId("hold-0-not-seen-since-start")).containsText("3");
            assertThat(page.getByTestId("hold-1-wave-not-open")).containsText("19");

            devices.checkIn(canaries);
            fleet.flushActivity();
            devices.checkIn(canaries.subList(0, 1)); // one comes back on 2.0.0
            Device rolledBack = canaries.get(1);
            devices.checkIn(List.of(rolledBack));
            fleet.flushActivity();
            rolledBack.version = "1.0.0"; // and then reverts
            rolledBack.md5 = Fleet.md5(image1);
            devices.checkIn(List.of(rolledBack));
            fleet.flushActivity();
            engine.evaluateAll();
            assertThat(page.getByTestId("rollout-state")).hasText("paused", PATIENTLY);
            assertThat(page.getByTestId("rollout-status")).containsText("1 of 4 devices failed (25.0 %)");
            assertThat(page.getByTestId("resume")).isVisible();
            assertThat(page.getByTestId("wave-0")).containsText("1/4 installed (25.0%)");
            assertThat(page.locator("#flash")).isEmpty();
            assertThat(page.evaluate("window.stillTheSamePage")).isEqualTo(true);
            ConsoleBrowser.screenshot(page, "rollout");

            // The holds link to their devices; the device table opens on the problems.
            page.getByTestId("hold-0-reverted").click();
            assertThat(page.locator("#devices")).containsText(rolledBack.mac);
            page.navigate("/console/" + slug + "/rollouts/" + id);
            assertThat(page.getByTestId("filter-problems")).hasAttribute("aria-current", "page");
            assertThat(page.getByTestId("rollout-devices")).containsText(rolledBack.mac);

            // The device's timeline says what happened in words.
            page.navigate("/console/" + slug + "/devices/" + rolledBack.mac);
            assertThat(page.locator("[data-testid=event-words]",
                    new Page.LocatorOptions().setHasText("Reverted in rollout #" + id))).hasCount(1);
            assertThat(page.locator("main")).not().containsText("\"reason\"");

            // Advanced by hand, everyone is offered the image; the devices it does not fit say why, in words.
            page.navigate("/console/" + slug + "/rollouts/" + id);
            page.onceDialog(dialog -> dialog.accept());
            page.locator("form[action$='/advance'] button").click();
            assertThat(page.getByTestId("rollout-state")).hasText("running");
            devices.freeSpace = 4_096;
            devices.checkIn(small);
            devices.freeSpace = 1_000_000;
            fleet.flushActivity();
            page.navigate("/console/" + slug + "/devices/" + small.get(0).mac);
            assertThat(page.locator("[data-testid=event-words]",
                    new Page.LocatorOptions().setHasText(
                            "the 8.8 KiB image is larger than the 4.0 KiB of free space this device reports")))
                                    .hasCount(1);
            assertThat(page.locator("main")).not().containsText("\"reason\"");

            // A completed rollout can still be aborted.
            page.navigate("/console/" + slug + "/rollouts/" + id);
            page.onceDialog(dialog -> dialog.accept());
            page.locator("form[action$='/advance'] button").click();
            assertThat(page.getByTestId("rollout-state")).hasText("completed");
            page.onceDialog(dialog -> dialog.accept());
            page.getByTestId("abort").click();
            assertThat(page.getByTestId("rollout-state")).hasText("aborted");
        }
    }
}
