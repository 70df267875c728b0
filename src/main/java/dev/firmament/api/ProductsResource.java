package dev.firmament.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.firmament.release.Product;
import dev.firmament.release.ProductService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;

/** Products: device types, the NoFUSS {@code DEVICE} string. */
@Path("/api/v1/tenants/{tenant}/products")
@Tag(name = "Products")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProductsResource {

    /** A new product, named as devices report it (for example {@code SONOFF_BASIC}). */
    public record ProductRequest(@Schema(example = "SONOFF_BASIC") String name) {
    }

    /** A product. */
    public record ProductView(String id, String name, Instant createdAt) {
        static ProductView of(Product p) {
            return new ProductView(p.id.toString(), p.name, p.createdAt);
        }
    }

    private final ProductService products;

    ProductsResource(ProductService products) {
        this.products = products;
    }

    @POST
    @ResponseStatus(201)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Create a product")
    public ProductView create(@PathParam("tenant") String tenant, ProductRequest request) {
        return ProductView.of(products.create(Requests.require(request).name()));
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "List products")
    public List<ProductView> list(@PathParam("tenant") String tenant) {
        return products.list().stream().map(ProductView::of).toList();
    }
}
