package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import dev.firmament.device.DeviceKey;
import dev.firmament.device.DeviceKeyService;
import dev.firmament.errors.Ids;
import dev.firmament.release.ProductService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;

/** Device keys: what devices put in their update URL. Owners create and revoke them. */
@Path("/api/v1/tenants/{tenant}/device-keys")
@Tag(name = "Device keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeviceKeysResource {

    /** A new key; devices enrolling with it count as {@code product} and join {@code group} (both optional). */
    public record DeviceKeyRequest(@Schema(example = "field devices") String name,
            @Schema(example = "SONOFF_BASIC") String product, @Schema(example = "3") Long group) {
    }

    /** A key without its secret. */
    public record DeviceKeyView(String id, String name, String hint, String defaultProductId, Long defaultGroupId,
            Instant createdAt, Instant revokedAt) {
        static DeviceKeyView of(DeviceKey k) {
            return new DeviceKeyView(k.id.toString(), k.name, k.keyHint,
                    k.defaultProductId == null ? null : k.defaultProductId.toString(), k.defaultGroupId, k.createdAt,
                    k.revokedAt);
        }
    }

    /** The URLs to put in device firmware. */
    public record DeviceUrls(String update, String nofuss) {
    }

    /** A created key with its secret (shown this once) and the URLs that carry it. */
    public record CreatedDeviceKeyView(String id, String name, String key, DeviceUrls urls) {
    }

    private final DeviceKeyService keys;
    private final ProductService products;

    DeviceKeysResource(DeviceKeyService keys, ProductService products) {
        this.keys = keys;
        this.products = products;
    }

    @POST
    @ResponseStatus(201)
    @Allowed(Role.OWNER)
    @Operation(summary = "Create a device key; the response holds the key and device URLs, shown once")
    public CreatedDeviceKeyView create(@PathParam("tenant") String tenant, DeviceKeyRequest request,
            @Context UriInfo uri) {
        Requests.require(request);
        var productId = request.product() == null ? null : products.findByName(request.product()).id;
        var created = keys.create(request.name(), productId, request.group());
        var urls = keys.urls(created.secret(), uri.getBaseUri());
        return new CreatedDeviceKeyView(created.key().id.toString(), created.key().name, created.secret(),
                new DeviceUrls(urls.update(), urls.nofuss()));
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "List device keys (without secrets)")
    public Page<DeviceKeyView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(PageCursor.of(keys.list().stream().map(DeviceKeyView::of).toList(), "created",
                k -> PageCursor.sortable(k.createdAt(), k.id()), false, after, PageCursor.limit(limit)), uri);
    }

    @DELETE
    @Path("{id}")
    @Allowed(Role.OWNER)
    @Operation(summary = "Revoke a device key: its devices get 403 from then on")
    public DeviceKeyView revoke(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        return DeviceKeyView.of(keys.revoke(Ids.uuid(id, "Device key")));
    }
}
