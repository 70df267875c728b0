package dev.firmament.home;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/**
 * The guides in {@code docs/}, packaged with the build and served as text at {@code /docs/NAME.md}, so that the
 * console's "see the device guide" links work on every installation, air-gapped ones included, and always match the
 * version that is running.
 */
@Path("/docs")
public class DocsResource {

    /** The guides the build packages (pom.xml); nothing else under the class path is reachable through here. */
    static final Set<String> GUIDES = Set.of("api.md", "architecture.md", "console.md", "devices.md", "operations.md",
            "rollouts.md");

    @GET
    @Path("{name}")
    public Response guide(@PathParam("name") String name) throws IOException {
        if (!GUIDES.contains(name)) {
            throw new NotFoundException("No guide " + name);
        }
        try (InputStream in = DocsResource.class.getResourceAsStream("/docs/" + name)) {
            if (in == null) {
                throw new NotFoundException("No guide " + name);
            }
            // Plain text rather than text/markdown, which browsers download instead of showing.
            return Response.ok(in.readAllBytes(), "text/plain; charset=utf-8")
                    .header("X-Content-Type-Options", "nosniff").build();
        }
    }
}
