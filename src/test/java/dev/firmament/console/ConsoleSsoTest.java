package dev.firmament.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import java.net.URL;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.firmament.security.MemberService;
import dev.firmament.security.Role;
import dev.firmament.testing.ConsoleBrowser;
import dev.firmament.testing.ConsoleSsoProfile;
import dev.firmament.testing.Fleet;

/** Console sign-in through an OIDC provider's login page (the code flow), in a real browser. */
@QuarkusTest
@TestProfile(ConsoleSsoProfile.class)
class ConsoleSsoTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Fleet fleet;

    @Inject
    MemberService members;

    static ConsoleBrowser browser;

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aPersonSignsInAtTheProviderAndLandsInTheirTenant() {
        Fleet.Tenant tenant = fleet.tenant("SONOFF_BASIC");
        String slug = fleet.slugOf(tenant.id);
        tenant.as(() -> members.add("alice@somecompany.com", Role.MAINTAINER));
        browser = new ConsoleBrowser(base);

        Page page = browser.open(1280, 900);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in with single sign-on")).click();
        // The provider's own login page (WireMock's stand-in for Keycloak's).
        page.locator("#username").fill("alice");
        page.locator("#login").click();
        page.waitForURL(Pattern.compile(".*/console/" + slug + "$"));
        assertThat(page.getByTestId("who")).containsText("alice@somecompany.com · maintainer");

        // The console session is Firmament's own: signing out ends it.
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
        page.waitForURL(Pattern.compile(".*/console/login$"));
        page.navigate("/console/" + slug);
        assertThat(page).hasURL(Pattern.compile(".*/console/login\\?next=.*"));
    }
}
