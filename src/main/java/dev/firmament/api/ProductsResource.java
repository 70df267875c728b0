package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.db.PageCursor;
import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.release.SigningKeyService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;

/** Products: device types, the NoFUSS {@code DEVICE} string. */
@Path("/api/v1/tenants/{tenant}/products")
@Tag(name = "Products")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProductsResource {

    /**
     * A new product, named as devices report it (for example {@code SONOFF_BASIC}), and the chip its devices have
     * ({@code esp8266}, {@code esp32}, {@code esp32s3}, …; {@code any}, the default, declares none).
     */
    public record ProductRequest(@Schema(example = "SONOFF_BASIC") String name,
            @Schema(example = "esp8266") String chipFamily) {
    }

    /** A change to a product: the chip its devices have. */
    public record ProductChange(@Schema(example = "esp32s3") String chipFamily) {
    }

    /** A product. */
    public record ProductView(String id, String name, String chipFamily, Instant createdAt) {
        static ProductView of(Product p) {
            return new ProductView(p.id.toString(), p.name, p.chipFamily, p.createdAt);
        }
    }

    /** Imports a signing key: an RSA private key in PEM. */
    public record SigningKeyImport(String privateKeyPem) {
    }

    private final ProductService products;
    private final SigningKeyService signingKeys;

    ProductsResource(ProductService products, SigningKeyService signingKeys) {
        this.products = products;
        this.signingKeys = signingKeys;
    }

    @POST
    @ResponseStatus(201)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Create a product")
    public ProductView create(@PathParam("tenant") String tenant, ProductRequest request) {
        ProductRequest product = Requests.require(request);
        return ProductView.of(products.create(product.name(), product.chipFamily()));
    }

    @PUT
    @Path("{name}")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Declare the chip of a product's devices (409 while releases hold firmware for another)")
    public ProductView update(@PathParam("tenant") String tenant, @PathParam("name") String name,
            ProductChange change) {
        return ProductView.of(products.setChipFamily(name, Requests.require(change).chipFamily()));
    }

    @POST
    @Path("{name}/signing-key")
    @Consumes(MediaType.WILDCARD) // no body
    @Allowed(Role.OWNER)
    @Operation(summary = "Generate a 2048-bit RSA key that signs the product's new releases (ESP8266 signed updates);"
            + " the previous key is retired, releases it signed keep their signature")
    public SigningKeyService.PublicKeyView generateSigningKey(@PathParam("tenant") String tenant,
            @PathParam("name") String name) {
        return signingKeys.generate(name);
    }

    @PUT
    @Path("{name}/signing-key")
    @Allowed(Role.OWNER)
    @Operation(summary = "Import an RSA private key (PEM) as the product's signing key")
    public SigningKeyService.PublicKeyView importSigningKey(@PathParam("tenant") String tenant,
            @PathParam("name") String name, SigningKeyImport request) {
        return signingKeys.importKey(name, Requests.require(request).privateKeyPem());
    }

    @GET
    @Path("{name}/signing-key")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "The public key that the product's firmware must be built with")
    public SigningKeyService.PublicKeyView signingKey(@PathParam("tenant") String tenant,
            @PathParam("name") String name) {
        return signingKeys.publicKey(name);
    }

    @GET
    @Path("{name}/signing-key/public.key")
    @Produces("application/x-pem-file")
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "The public key as the file the ESP8266 core's build reads (public.key beside the sketch)")
    public jakarta.ws.rs.core.Response signingKeyFile(@PathParam("tenant") String tenant,
            @PathParam("name") String name) {
        return jakarta.ws.rs.core.Response.ok(signingKeys.publicKey(name).publicKeyPem())
                .header("Content-Disposition", "attachment; filename=\"public.key\"").build();
    }

    @DELETE
    @Path("{name}/signing-key")
    @ResponseStatus(204)
    @Allowed(Role.OWNER)
    @Operation(summary = "Stop signing the product's new releases (releases signed before keep their signature)")
    public void retireSigningKey(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        signingKeys.retire(name);
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "List products")
    public Page<ProductView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(PageCursor.of(products.list().stream().map(ProductView::of).toList(), "name", ProductView::name,
                false, after, PageCursor.limit(limit)), uri);
    }
}
