package dev.firmament.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.errors.FirmamentException;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseService;
import dev.firmament.release.ReleasesConfig;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;

/** Releases: the list, upload (drag and drop, progress, errors in place), and who pulled and installed each. */
@Path("/console/{tenant}/releases")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class ReleasesPage {

    /** What the upload form holds, kept when it comes back with an error. */
    public record UploadForm(String product, String version, String notes, String error, List<String> details) {
        static final UploadForm EMPTY = new UploadForm(null, null, null, null, List.of());
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance releases(List<Release> releases, List<Product> products, UploadForm form,
                long maxImageSize);

        static native TemplateInstance releases$upload(List<Product> products, UploadForm form, long maxImageSize);

        static native TemplateInstance release(Release release, String product, Map<String, Long> counts,
                List<ConsoleQueries.Puller> pullers);
    }

    private final ReleaseService releases;
    private final ProductService products;
    private final ConsoleQueries queries;
    private final long maxImageSize;

    ReleasesPage(ReleaseService releases, ProductService products, ConsoleQueries queries, ReleasesConfig config) {
        this.releases = releases;
        this.products = products;
        this.queries = queries;
        this.maxImageSize = config.maxImageSize();
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        return Templates.releases(releases.list(), products.list(), UploadForm.EMPTY, maxImageSize);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response upload(@PathParam("tenant") String tenant, @RestForm String product, @RestForm String version,
            @RestForm String notes, @RestForm FileUpload firmware, @RestForm FileUpload filesystem,
            @Context HttpHeaders headers) throws IOException {
        Release release;
        try (InputStream firmwareIn = open(firmware); InputStream filesystemIn = open(filesystem)) {
            release = releases.create(product, version, ConsoleForms.blankToNull(notes), firmwareIn, filesystemIn);
        } catch (FirmamentException e) {
            UploadForm form = new UploadForm(product, version, notes, e.getMessage(),
                    e.errors() == null ? List.of() : e.errors().stream().map(String::valueOf).toList());
            TemplateInstance page = ConsoleResponses.isHtmx(headers)
                    ? Templates.releases$upload(products.list(), form, maxImageSize)
                    : Templates.releases(releases.list(), products.list(), form, maxImageSize);
            return Response.status(e.status()).entity(page).build();
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases/" + release.id,
                "Release " + release.version + " uploaded");
    }

    @POST
    @Path("products")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response createProduct(@PathParam("tenant") String tenant, @RestForm String name,
            @Context HttpHeaders headers) {
        Product product = products.create(name);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases",
                "Product " + product.name + " created");
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    @Operation(hidden = true)
    public TemplateInstance release(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        Release release = releases.find(id);
        String product = products.namesById().getOrDefault(release.productId, "");
        return Templates.release(release, product, queries.releaseEventCounts(id), queries.pullers(id, 500));
    }

    @POST
    @Path("{id}/delete")
    @Allowed(Role.MAINTAINER)
    @Operation(hidden = true)
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") long id, @Context HttpHeaders headers) {
        releases.delete(id);
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases", "Release " + id + " deleted");
    }

    private static InputStream open(FileUpload upload) throws IOException {
        return upload == null || upload.uploadedFile() == null || upload.size() == 0 ? null
                : Files.newInputStream(upload.uploadedFile());
    }
}
