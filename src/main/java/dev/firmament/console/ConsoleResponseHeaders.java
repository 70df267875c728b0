package dev.firmament.console;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Headers of every console response: a strict content security policy (scripts only from this site, so that even an
 * escaped-string mistake cannot run code), no framing, no caching of tenant data; and the flash message removed once a
 * page has shown it.
 */
public class ConsoleResponseHeaders {

    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    @ServerResponseFilter
    public void addHeaders(ContainerRequestContext request, ContainerResponseContext response) {
        if (!ConsoleResponses.isConsolePath(request.getUriInfo().getPath())) {
            return;
        }
        var headers = response.getHeaders();
        headers.putSingle("Content-Security-Policy", POLICY);
        headers.putSingle("X-Frame-Options", "DENY");
        headers.putSingle("X-Content-Type-Options", "nosniff");
        headers.putSingle("Referrer-Policy", "same-origin");
        headers.putSingle("Cache-Control", "no-store");
        if (response.getStatus() == 200 && request.getCookies().containsKey(ConsoleResponses.FLASH_COOKIE)
                && !ConsoleResponses.isHtmx(request.getHeaderString("HX-Request"))) {
            headers.add("Set-Cookie", ConsoleResponses.clearFlash());
        }
    }
}
