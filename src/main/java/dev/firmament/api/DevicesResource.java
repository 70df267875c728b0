package dev.firmament.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.firmament.db.PageCursor;
import dev.firmament.device.Device;
import dev.firmament.device.DeviceQueries;
import dev.firmament.device.DeviceService;
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.format.ExportDownload;
import dev.firmament.release.ProductService;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.tenant.TenantContext;

/** The device registry: every device that checked in, as it last reported itself. */
@Path("/api/v1/tenants/{tenant}/devices")
@Tag(name = "Devices")
@Produces(MediaType.APPLICATION_JSON)
public class DevicesResource {

    /** Everything a device reported, and what people decided about it. */
    public record DeviceView(String mac, String productId, String assignedProductId, String client, Long chipId,
            Long chipSize, Long freeSpace, Long sketchSize, String sketchMd5, String sdkVersion, String version,
            String build, String mode, String ip, boolean blocked, Long pendingReleaseId, Instant pendingSince,
            Instant firstSeen, Instant lastSeen, List<Long> groups, Long pinnedReleaseId) {
        static DeviceView of(DeviceQueries.DeviceDetail detail) {
            Device d = detail.device();
            return new DeviceView(d.mac, string(d.productId), string(d.assignedProductId), d.client, d.chipId,
                    d.chipSize, d.freeSpace, d.sketchSize, d.sketchMd5, d.sdkVersion, d.version, d.build, d.mode, d.ip,
                    d.blocked, d.pendingReleaseId, d.pendingSince, d.firstSeen, d.lastSeen, detail.groups(),
                    detail.pinnedReleaseId());
        }

        private static String string(UUID id) {
            return id == null ? null : id.toString();
        }
    }

    private final DeviceQueries queries;
    private final DeviceService devices;
    private final ProductService products;
    private final TenantContext tenants;

    DevicesResource(DeviceQueries queries, DeviceService devices, ProductService products, TenantContext tenants) {
        this.queries = queries;
        this.tenants = tenants;
        this.devices = devices;
        this.products = products;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Devices, filtered and paged, with the total that matched; sort by lastSeen (default), mac,"
            + " version or firstSeen (sort=mac walks the fleet exactly once)")
    public Page<DeviceQueries.DeviceSummary> list(@PathParam("tenant") String tenant,
            @QueryParam("product") String product, @QueryParam("version") String version,
            @QueryParam("group") Long group, @QueryParam("q") String q, @QueryParam("seenSince") Instant seenSince,
            @QueryParam("seenBefore") Instant seenBefore, @QueryParam("status") String status,
            @QueryParam("sort") String sort, @QueryParam("after") String after, @QueryParam("limit") Integer limit,
            @Context UriInfo uri) {
        var filter = new DeviceQueries.Filter(product, version, group, q, seenSince, seenBefore, status, sort);
        return Page.of(queries.slice(filter, after, PageCursor.limit(limit)), uri, queries.count(filter));
    }

    @GET
    @Path("export")
    @Allowed(Role.VIEWER)
    @Produces({ "text/csv", "application/x-ndjson" })
    @Operation(summary = "Every device matching the filters, in the chosen sort, as CSV or NDJSON (format=csv|ndjson),"
            + " streamed")
    public Response export(@PathParam("tenant") String tenant, @QueryParam("product") String product,
            @QueryParam("version") String version, @QueryParam("group") Long group, @QueryParam("q") String q,
            @QueryParam("seenSince") Instant seenSince, @QueryParam("seenBefore") Instant seenBefore,
            @QueryParam("status") String status, @QueryParam("sort") String sort, @QueryParam("format") String format) {
        var filter = new DeviceQueries.Filter(product, version, group, q, seenSince, seenBefore, status, sort);
        var tenantId = tenants.require();
        return ExportDownload.of(format, tenant + "-devices", DeviceQueries.EXPORT_COLUMNS,
                sink -> queries.export(tenantId, filter, sink));
    }

    @GET
    @Path("{mac}")
    @Allowed(Role.VIEWER)
    @Operation(summary = "One device")
    public DeviceView get(@PathParam("tenant") String tenant, @PathParam("mac") String mac) {
        return DeviceView.of(queries.find(mac).orElseThrow(() -> new NotFoundException("Device " + mac)));
    }

    @PATCH
    @Path("{mac}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Block or unblock ({\"blocked\": true}) or assign a product ({\"product\": \"NAME\"}, null to"
            + " clear)")
    public DeviceView patch(@PathParam("tenant") String tenant, @PathParam("mac") String mac,
            Map<String, Object> changes) {
        List<String> unknown = Requests.require(changes).keySet().stream()
                .filter(field -> !List.of("blocked", "product").contains(field)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new InvalidInputException("unknown-field",
                    "Unknown field '" + String.join("', '", unknown) + "'; this request takes [blocked, product]");
        }
        if (changes.isEmpty()) {
            throw new InvalidInputException("invalid-patch", "Send blocked and/or product");
        }
        if (changes.containsKey("blocked")) {
            if (!(changes.get("blocked") instanceof Boolean blocked)) {
                throw new InvalidInputException("invalid-patch", "blocked is true or false");
            }
            devices.setBlocked(mac, blocked).orElseThrow(() -> new NotFoundException("Device " + mac));
        }
        if (changes.containsKey("product")) {
            Object name = changes.get("product");
            UUID productId = name == null ? null : products.findByName(String.valueOf(name)).id;
            devices.assignProduct(mac, productId).orElseThrow(() -> new NotFoundException("Device " + mac));
        }
        return get(tenant, mac);
    }

    @GET
    @Path("{mac}/events")
    @Allowed(Role.VIEWER)
    @Operation(summary = "What the device was offered, downloaded, installed, refused")
    public Page<DeviceQueries.DeviceEvent> events(@PathParam("tenant") String tenant, @PathParam("mac") String mac,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(queries.events(DeviceQueries.EventFilter.ofDevice(mac), after, PageCursor.limit(limit)), uri);
    }
}
