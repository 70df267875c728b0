package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.GET;
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
import dev.firmament.device.DeviceQueries;
import dev.firmament.format.ExportDownload;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.tenant.TenantContext;

/** Device events: "which devices pulled release X", "what did device Y get". */
@Path("/api/v1/tenants/{tenant}/events")
@Tag(name = "Device events")
@Allowed(Role.VIEWER)
public class EventsResource {

    private final DeviceQueries queries;
    private final TenantContext tenants;

    EventsResource(DeviceQueries queries, TenantContext tenants) {
        this.queries = queries;
        this.tenants = tenants;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Device events (offered, withheld, downloaded, installed, failed, …), newest first, paged")
    public Page<DeviceQueries.DeviceEvent> list(@PathParam("tenant") String tenant,
            @QueryParam("releaseId") Long releaseId, @QueryParam("mac") String mac, @QueryParam("type") String type,
            @QueryParam("group") Long group, @QueryParam("from") Instant from, @QueryParam("to") Instant to,
            @QueryParam("after") String after, @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        return Page.of(queries.events(new DeviceQueries.EventFilter(releaseId, mac, type, group, from, to), after,
                PageCursor.limit(limit)), uri);
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", "application/x-ndjson" })
    @Operation(summary = "Every event matching the filters, oldest first, as CSV or NDJSON (format=csv|ndjson), streamed")
    public Response export(@PathParam("tenant") String tenant, @QueryParam("releaseId") Long releaseId,
            @QueryParam("mac") String mac, @QueryParam("type") String type, @QueryParam("group") Long group,
            @QueryParam("from") Instant from, @QueryParam("to") Instant to, @QueryParam("format") String format) {
        var filter = new DeviceQueries.EventFilter(releaseId, mac, type, group, from, to);
        var tenantId = tenants.require();
        return ExportDownload.of(format, tenant + "-events", DeviceQueries.EVENT_EXPORT_COLUMNS,
                sink -> queries.exportEvents(tenantId, filter, sink));
    }
}
