package dev.firmament.home;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.release.artifact.ArtifactStore;

/** The page at {@code /}: what is running here and where to go next. */
@Path("/")
public class HomeResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(String version, String store);
    }

    private final ArtifactStore store;

    HomeResource(ArtifactStore store) {
        this.store = store;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance home() {
        String version = HomeResource.class.getPackage().getImplementationVersion();
        return Templates.home(version == null ? "development" : version, store.kind());
    }
}
