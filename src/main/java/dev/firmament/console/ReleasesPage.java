package dev.firmament.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import dev.firmament.device.DeviceAdoption;
import dev.firmament.errors.ConflictException;
import dev.firmament.errors.FirmamentException;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.release.ImageHeader;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.Release;
import dev.firmament.release.ReleaseDownloads;
import dev.firmament.release.ReleaseService;
import dev.firmament.release.ReleasesConfig;
import dev.firmament.release.SigningKeyService;
import dev.firmament.security.Allowed;
import dev.firmament.security.ConsolePage;
import dev.firmament.security.Role;
import dev.firmament.targeting.GroupService;

/** Releases: the list, upload (drag and drop, progress, errors in place), and who pulled and installed each. */
@Path("/console/{tenant}/releases")
@ConsolePage
@Produces(MediaType.TEXT_HTML)
public class ReleasesPage {

    /** What the upload form holds, kept when it comes back with an error. */
    public record UploadForm(String product, String version, String notes, String error, List<String> details) {
        static final UploadForm EMPTY = new UploadForm(null, null, null, null, List.of());
    }

    /** What a product form holds when it comes back with an error: the field it is about, and what was typed. */
    public record ProductForm(String field, String error, String name, String chipFamily) {
        static final ProductForm EMPTY = new ProductForm(null, null, null, null);
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance releases(List<Release> releases, List<Product> products, UploadForm form,
                long maxImageSize, Set<String> chips, Set<UUID> signing, ProductForm productForm);

        static native TemplateInstance releases$upload(List<Product> products, UploadForm form, long maxImageSize);

        static native TemplateInstance release(Release release, String product, Map<String, Long> counts,
                List<ConsoleQueries.Puller> pullers, ImageHeader header, String signedBy, String spreadChart,
                PageError error);

        static native TemplateInstance product(Product product, List<Release> releases, Set<String> chips,
                boolean signingEnabled, SigningKeyService.PublicKeyView key, ProductForm form);
    }

    private final ReleaseService releases;
    private final ProductService products;
    private final SigningKeyService signingKeys;
    private final ConsoleQueries queries;
    private final long maxImageSize;
    private final DeviceAdoption adoption;
    private final ReleaseDownloads downloads;
    private final GroupService groups;

    ReleasesPage(ReleaseService releases, ProductService products, SigningKeyService signingKeys,
            ConsoleQueries queries, ReleasesConfig config, DeviceAdoption adoption, GroupService groups,
            ReleaseDownloads downloads) {
        this.releases = releases;
        this.downloads = downloads;
        this.adoption = adoption;
        this.groups = groups;
        this.products = products;
        this.signingKeys = signingKeys;
        this.queries = queries;
        this.maxImageSize = config.maxImageSize();
    }

    @GET
    @Allowed(Role.VIEWER)
    public TemplateInstance list(@PathParam("tenant") String tenant) {
        return listPage(UploadForm.EMPTY, ProductForm.EMPTY);
    }

    private TemplateInstance listPage(UploadForm form, ProductForm productForm) {
        return Templates.releases(releases.list(), products.list(), form, maxImageSize, ImageHeader.CHIPS,
                signingKeys.signingProducts(), productForm);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Allowed(Role.MAINTAINER)
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
                    : listPage(form, ProductForm.EMPTY);
            return Response.status(e.status()).entity(page).build();
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases/" + release.id,
                "Release " + release.version + " uploaded");
    }

    @POST
    @Path("products")
    @Allowed(Role.MAINTAINER)
    public Response createProduct(@PathParam("tenant") String tenant, @RestForm String name,
            @RestForm String chipFamily, @Context HttpHeaders headers) {
        return ConsoleResponses.refusedInPlace(() -> {
            Product product = products.create(name, ConsoleForms.blankToNull(chipFamily));
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases/products/" + product.name,
                    "Product " + product.name + " created");
        }, e -> listPage(UploadForm.EMPTY, new ProductForm("create", e.getMessage(), name, chipFamily)));
    }

    /** A product: the chip its devices have, and its signing key (its public half; owners change it). */
    @GET
    @Path("products/{name}")
    @Allowed(Role.VIEWER)
    public TemplateInstance product(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        return productPage(name, ProductForm.EMPTY);
    }

    private TemplateInstance productPage(String name, ProductForm form) {
        Product product = products.findByName(name);
        if (!"chip".equals(form.field())) { // the chip select shows what is stored unless its own change was refused
            form = new ProductForm(form.field(), form.error(), name, product.chipFamily);
        }
        List<Release> ofProduct = releases.list().stream().filter(r -> r.productId.equals(product.id)).toList();
        return Templates.product(product, ofProduct, ImageHeader.CHIPS, signingKeys.enabled(),
                signingKeys.find(name).orElse(null), form);
    }

    @POST
    @Path("products/{name}")
    @Allowed(Role.MAINTAINER)
    public Response setChipFamily(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @RestForm String chipFamily, @Context HttpHeaders headers) {
        return productChange(tenant, name, new ProductForm("chip", null, name, chipFamily), headers,
                () -> products.setChipFamily(name, chipFamily), "Chip family of " + name + " saved");
    }

    @POST
    @Path("products/{name}/signing-key")
    @Allowed(Role.OWNER)
    public Response generateSigningKey(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @Context HttpHeaders headers) {
        return productChange(tenant, name, new ProductForm("generate", null, name, null), headers,
                () -> signingKeys.generate(name), "A new signing key signs the next releases of " + name);
    }

    @POST
    @Path("products/{name}/signing-key/import")
    @Allowed(Role.OWNER)
    public Response importSigningKey(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @RestForm String privateKeyPem, @Context HttpHeaders headers) {
        // What was pasted is a private key: it is never sent back into the page, also not with an error.
        return productChange(tenant, name, new ProductForm("import", null, name, null), headers,
                () -> signingKeys.importKey(name, privateKeyPem),
                "The imported key signs the next releases of " + name);
    }

    @POST
    @Path("products/{name}/signing-key/retire")
    @Allowed(Role.OWNER)
    public Response retireSigningKey(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @Context HttpHeaders headers) {
        return productChange(tenant, name, new ProductForm("retire", null, name, null), headers,
                () -> signingKeys.retire(name), "New releases of " + name + " are no longer signed");
    }

    /** The public key as the file the ESP8266 core's build reads ({@code public.key} beside the sketch). */
    @GET
    @Path("products/{name}/public.key")
    @Produces("application/x-pem-file")
    @Allowed(Role.MAINTAINER)
    public Response publicKeyFile(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        return Response.ok(signingKeys.publicKey(name).publicKeyPem())
                .header("Content-Disposition", "attachment; filename=\"public.key\"").build();
    }

    /** Applies a product change; a refusal comes back in the product page, next to the form it is about. */
    private Response productChange(String tenant, String name, ProductForm form, HttpHeaders headers, Runnable change,
            String done) {
        return ConsoleResponses.refusedInPlace(() -> {
            change.run();
            return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases/products/" + name, done);
        }, e -> productPage(name, new ProductForm(form.field(), e.getMessage(), name, form.chipFamily())));
    }

    @GET
    @Path("{id}")
    @Allowed(Role.VIEWER)
    public TemplateInstance release(@PathParam("tenant") String tenant, @PathParam("id") long id) {
        return releasePage(id, PageError.NONE);
    }

    /** A refusal on the release page: which form it answers, why, and the notes as they were typed. */
    public record PageError(String form, String message, String notes) {
        static final PageError NONE = new PageError("", null, null);
    }

    private TemplateInstance releasePage(long id, PageError error) {
        Release release = releases.find(id);
        String product = products.namesById().getOrDefault(release.productId, "");
        String signedBy = release.firmwareSigningKeyId == null ? null
                : signingKeys.fingerprint(release.firmwareSigningKeyId).map(f -> f.substring(0, 16)).orElse(null);
        return Templates.release(release, product, queries.releaseEventCounts(id), queries.pullers(id, 500),
                release.firmwareHeader(), signedBy,
                spreadChart(adoption.spread(release.productId, release.version, 30)), error);
    }

    @GET
    @Path("{id}/firmware")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Allowed(Role.VIEWER)
    public Response firmware(@PathParam("tenant") String tenant, @PathParam("id") long id) throws java.io.IOException {
        return downloads.download(id, "firmware");
    }

    @GET
    @Path("{id}/filesystem")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Allowed(Role.VIEWER)
    public Response filesystem(@PathParam("tenant") String tenant, @PathParam("id") long id)
            throws java.io.IOException {
        return downloads.download(id, "filesystem");
    }

    @POST
    @Path("{id}/notes")
    @Allowed(Role.MAINTAINER)
    public Response notes(@PathParam("tenant") String tenant, @PathParam("id") long id, @RestForm String notes,
            @Context HttpHeaders headers) {
        try {
            releases.setNotes(id, notes);
        } catch (InvalidInputException e) {
            return Response.status(e.status()).entity(releasePage(id, new PageError("notes", e.getMessage(), notes)))
                    .build();
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases/" + id, "Notes saved");
    }

    @POST
    @Path("{id}/delete")
    @Allowed(Role.MAINTAINER)
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") long id, @Context HttpHeaders headers) {
        try {
            releases.delete(id);
        } catch (ConflictException e) {
            // In use: the release's own page says by what, next to the button.
            return Response.status(e.status()).entity(releasePage(id, new PageError("delete", e.getMessage(), null)))
                    .build();
        }
        return ConsoleResponses.redirect(headers, "/console/" + tenant + "/releases", "Release " + id + " deleted");
    }

    private static InputStream open(FileUpload upload) throws IOException {
        return upload == null || upload.uploadedFile() == null || upload.size() == 0 ? null
                : Files.newInputStream(upload.uploadedFile());
    }

    /** The share of the devices seen each day that ran this release, for the whole fleet and each group. */
    private String spreadChart(List<DeviceAdoption.Spread> spreads) {
        Map<Long, String> names = new java.util.HashMap<>();
        groups.list().forEach(g -> names.put(g.id(), g.name()));
        List<Map<String, Object>> datasets = new java.util.ArrayList<>();
        for (DeviceAdoption.Spread spread : spreads) {
            List<Double> share = spread.days().stream()
                    .map(d -> d.devices() == 0 ? null : Math.round(1000.0 * d.onVersion() / d.devices()) / 10.0)
                    .toList();
            Map<String, Object> dataset = new java.util.HashMap<>();
            dataset.put("label", spread.group() == 0 ? "all devices" : names.getOrDefault(spread.group(), "group"));
            dataset.put("data", share);
            dataset.put("borderColor", ChartData.colour(datasets.size()));
            dataset.put("spanGaps", true);
            datasets.add(dataset);
        }
        List<String> days = spreads.get(0).days().stream()
                .map(d -> d.day().format(java.time.format.DateTimeFormatter.ofPattern("MMM d"))).toList();
        return ChartData.of(Map.of("type", "line", "data", Map.of("labels", days, "datasets", datasets), "options",
                Map.of("scales", Map.of("y", Map.of("min", 0, "max", 100, "title",
                        Map.of("display", true, "text", "% of the devices seen that day"))))));
    }
}
