package dev.firmament.console;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.TemplateInstance;

import dev.firmament.errors.FirmamentException;

/**
 * Post/Redirect/Get: after a change the browser is sent to a page, with the outcome in a short-lived flash cookie the
 * next page shows once. htmx requests get {@code HX-Redirect} instead, which htmx follows as a full navigation.
 */
public final class ConsoleResponses {

    static final String FLASH_COOKIE = "firmament_flash";

    private ConsoleResponses() {
    }

    /**
     * Runs a form's {@code change}; when it is refused, answers with the refusal's status and {@code form}: the same
     * page, re-rendered with the reason next to what was typed. A person's mistake never leads off the page.
     */
    static Response refusedInPlace(Supplier<Response> change, Function<FirmamentException, TemplateInstance> form) {
        try {
            return change.get();
        } catch (FirmamentException e) {
            return Response.status(e.status()).entity(form.apply(e)).build();
        }
    }

    public static Response redirect(HttpHeaders headers, String path, String message) {
        Response.ResponseBuilder response = isHtmx(headers) ? Response.ok().header("HX-Redirect", path)
                : Response.seeOther(URI.create(path));
        if (message != null) {
            response.cookie(flash(message));
        }
        return response.build();
    }

    /** The flash cookie carrying a message to the next page. */
    static NewCookie flash(String message) {
        return new NewCookie.Builder(FLASH_COOKIE)
                .value(URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20")).path("/console")
                .maxAge(30).httpOnly(true).sameSite(NewCookie.SameSite.LAX).build();
    }

    public static boolean isHtmx(HttpHeaders headers) {
        return headers != null && isHtmx(headers.getHeaderString("HX-Request"));
    }

    /** Whether an {@code HX-Request} header value marks a request htmx made. */
    static boolean isHtmx(String hxRequestHeader) {
        return "true".equals(hxRequestHeader);
    }

    /** Whether a request path is the console's. */
    static boolean isConsolePath(String path) {
        return path.equals("/console") || path.startsWith("/console/");
    }

    /** Removes the flash cookie once a page has shown it. */
    static NewCookie clearFlash() {
        return new NewCookie.Builder(FLASH_COOKIE).value("").path("/console").maxAge(0).httpOnly(true)
                .sameSite(NewCookie.SameSite.LAX).build();
    }
}
