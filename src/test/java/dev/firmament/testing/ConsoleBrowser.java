package dev.firmament.testing;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

/**
 * A real headless Chromium (Debian's, never a downloaded one) driven by Playwright, for the console tests. One per test
 * class; each person gets their own browser context (cookies).
 */
public final class ConsoleBrowser implements AutoCloseable {

    /** Where screenshots for docs/console.md go, when the build is asked for them ({@code -Dconsole.screenshots=}). */
    private static final Optional<Path> SCREENSHOTS = Optional.ofNullable(System.getProperty("console.screenshots"))
            .filter(dir -> !dir.isBlank()).map(Paths::get);

    private final Playwright playwright;
    private final Browser browser;
    private final URL base;

    public ConsoleBrowser(URL base) {
        this.base = base;
        playwright = Playwright
                .create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Paths.get(System.getProperty("chromium.path", "/usr/bin/chromium")))
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run")));
    }

    /** A new browser context (its own cookies) at a desktop size, on the sign-in page. */
    public Page open(int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setBaseURL(base.toString().replaceAll("/$", "")).setViewportSize(width, height));
        context.setDefaultTimeout(15_000);
        Page page = context.newPage();
        page.navigate("/console/login");
        return page;
    }

    /** Signs a person in through the login form, as they would. */
    public Page signIn(String email, String password) {
        return signIn(email, password, 1280, 900);
    }

    /** Signs in with a window of the given size (a phone is about 390 × 844). */
    public Page signIn(String email, String password, int width, int height) {
        Page page = open(width, height);
        page.getByLabel("E-mail").fill(email);
        page.getByLabel("Password").fill(password);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))
                .click();
        page.waitForURL(url -> !url.contains("/console/login"));
        return page;
    }

    /** Saves a full-page screenshot for the docs, when asked for; otherwise does nothing. */
    public static void screenshot(Page page, String name) {
        SCREENSHOTS.ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name + ".png")).setFullPage(true));
        });
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
