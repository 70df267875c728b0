package dev.firmament.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.firmament.device.DeviceQueries;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;

/** Device events: "which devices pulled release X", "what did device Y get". */
@Path("/api/v1/tenants/{tenant}/events")
@Tag(name = "Device events")
@Produces(MediaType.APPLICATION_JSON)
public class EventsResource {

    private final DeviceQueries queries;

    EventsResource(DeviceQueries queries) {
        this.queries = queries;
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Device events (offered, withheld, downloaded, installed, failed), newest first")
    public List<DeviceQueries.DeviceEvent> list(@PathParam("tenant") String tenant,
            @QueryParam("releaseId") Long releaseId, @QueryParam("mac") String mac, @QueryParam("type") String type,
            @QueryParam("from") Instant from, @QueryParam("to") Instant to,
            @QueryParam("limit") @DefaultValue("500") int limit) {
        return queries.events(releaseId, mac, type, from, to, limit);
    }
}
