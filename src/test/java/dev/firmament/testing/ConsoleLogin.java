package dev.firmament.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.firmament.security.ConsoleAuthentication;

/**
 * A console sign-in over plain HTTP: the session cookie and the CSRF token that forms must echo. {@code base} is the
 * app's URL for a packaged app, or null for the {@code @QuarkusTest} one.
 */
public record ConsoleLogin(String base, String cookie, String csrf) {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    /** Signs in with the form, then reads the CSRF token off {@code page} (any console page the person may open). */
    public static ConsoleLogin signIn(String email, String password, String page) {
        return signIn(null, email, password, page);
    }

    /** {@link #signIn(String, String, String)} on the app at {@code base}. */
    public static ConsoleLogin signIn(String base, String email, String password, String page) {
        Response login = request(base).formParam("email", email).formParam("password", password).post("/console/login");
        assertThat(login.statusCode()).as("sign-in of %s", email).isEqualTo(303);
        return fromCookie(base, login.getCookie(ConsoleAuthentication.COOKIE), page);
    }

    /** The session behind a cookie the console set, with the CSRF token of {@code page}. */
    public static ConsoleLogin fromCookie(String cookie, String page) {
        return fromCookie(null, cookie, page);
    }

    /** {@link #fromCookie(String, String)} on the app at {@code base}. */
    public static ConsoleLogin fromCookie(String base, String cookie, String page) {
        String html = request(base).cookie(ConsoleAuthentication.COOKIE, cookie).get(page).asString();
        Matcher csrf = CSRF.matcher(html);
        assertThat(csrf.find()).as("%s carries the CSRF token", page).isTrue();
        return new ConsoleLogin(base, cookie, csrf.group(1));
    }

    /** A console form posted in this session (without following the redirect). */
    public Response post(String path, Object... fields) {
        RequestSpecification request = request(base).cookie(ConsoleAuthentication.COOKIE, cookie)
                .header(ConsoleAuthentication.CSRF_HEADER, csrf);
        for (int i = 0; i < fields.length; i += 2) {
            request.formParam((String) fields[i], fields[i + 1]);
        }
        return request.post(path);
    }

    /** A console page in this session (without following redirects). */
    public Response get(String path) {
        return request(base).cookie(ConsoleAuthentication.COOKIE, cookie).get(path);
    }

    /** A request that does not follow redirects, to the app at {@code base} (null: the test's own). */
    public static RequestSpecification request(String base) {
        RequestSpecification request = RestAssured.given().redirects().follow(false);
        return base == null ? request : request.baseUri(base);
    }
}
