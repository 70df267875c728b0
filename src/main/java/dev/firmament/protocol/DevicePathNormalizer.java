package dev.firmament.protocol;

import java.net.URI;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.UriBuilder;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * NoFUSS clients join the server URL and a path with an extra slash ({@code /nofuss//dl/..}, or {@code ///} when the
 * server URL ends with one). Collapse repeated slashes, and drop a trailing one, on device paths before routing so
 * those requests resolve.
 */
public class DevicePathNormalizer {

    private static final Pattern REPEATED_SLASHES = Pattern.compile("/{2,}");

    @ServerRequestFilter(preMatching = true)
    public void collapseSlashes(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (path == null || !path.contains("/d/")) {
            return;
        }
        String collapsed = REPEATED_SLASHES.matcher(path).replaceAll("/");
        if (collapsed.length() > 3 && collapsed.endsWith("/")) {
            collapsed = collapsed.substring(0, collapsed.length() - 1); // NoFUSS base URLs often end with a slash
        }
        if (collapsed.startsWith("/d/") && !collapsed.equals(path)) {
            URI normalized = UriBuilder.fromUri(request.getUriInfo().getRequestUri()).replacePath(collapsed).build();
            request.setRequestUri(normalized);
        }
    }
}
