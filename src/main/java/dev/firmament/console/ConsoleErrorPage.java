package dev.firmament.console;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Errors in the console are pages (or, for htmx, a message swapped into the page's message area), written for people:
 * the same messages the API puts in problem+json, never a stack trace.
 */
public final class ConsoleErrorPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance error(int status, String title, String message);

        static native TemplateInstance message(String message);
    }

    private ConsoleErrorPage() {
    }

    public static boolean applies(UriInfo uri) {
        return uri != null && ConsoleResponses.isConsolePath(uri.getPath());
    }

    public static Response response(int status, String message, HttpHeaders headers) {
        if (ConsoleResponses.isHtmx(headers)) {
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE).header("HX-Retarget", "#flash")
                    .header("HX-Reswap", "innerHTML").entity(Templates.message(message).render()).build();
        }
        String title = switch (status) {
        case 400, 422 -> "That did not work";
        case 403 -> "Not allowed";
        case 404 -> "Not found";
        case 409 -> "Conflict";
        case 413 -> "Too large";
        default -> status >= 500 ? "Something went wrong" : "That did not work";
        };
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.error(status, title, message).render()).build();
    }

    /**
     * Not signed in: to the sign-in page, coming back here afterwards (to the console's start for a form posted after
     * the session ended: its data cannot be replayed).
     */
    public static Response signIn(UriInfo uri, HttpHeaders headers, String method) {
        String next = !"GET".equals(method) ? "/console" : uri.getRequestUri().getRawPath()
                + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
        String login = "/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
        if (ConsoleResponses.isHtmx(headers)) {
            return Response.status(401).header("HX-Redirect", login).build();
        }
        return Response.seeOther(URI.create(login)).build();
    }
}
