package dev.firmament.api;

import java.time.Instant;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.NotFoundException;
import dev.firmament.security.Allowed;
import dev.firmament.security.Role;
import dev.firmament.targeting.Pin;
import dev.firmament.targeting.PinService;

/** Pins: one MAC, one release, ahead of rollouts and rules. */
@Path("/api/v1/tenants/{tenant}/pins")
@Tag(name = "Pins")
@Produces(MediaType.APPLICATION_JSON)
public class PinsResource {

    /** The release a MAC gets; {@code allowDowngrade} lets it go back to an older version. */
    public record PinRequest(@Schema(example = "17") Long releaseId,
            @Schema(example = "false") Boolean allowDowngrade) {
    }

    /** A pin. */
    public record PinView(String mac, long releaseId, boolean allowDowngrade, Instant createdAt) {
        static PinView of(Pin pin) {
            return new PinView(pin.mac, pin.releaseId, pin.allowDowngrade, pin.createdAt);
        }
    }

    private final PinService pins;

    PinsResource(PinService pins) {
        this.pins = pins;
    }

    @PUT
    @Path("{mac}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Pin a MAC to a release (replaces an earlier pin)")
    public PinView pin(@PathParam("tenant") String tenant, @PathParam("mac") String mac, PinRequest request) {
        if (Requests.require(request).releaseId() == null) {
            throw new InvalidInputException("missing-release", "releaseId is required");
        }
        return PinView.of(pins.pin(mac, request.releaseId(), Boolean.TRUE.equals(request.allowDowngrade())));
    }

    @DELETE
    @Path("{mac}")
    @ResponseStatus(204)
    @Allowed(Role.MAINTAINER)
    @Operation(summary = "Remove a pin")
    public void unpin(@PathParam("tenant") String tenant, @PathParam("mac") String mac) {
        if (!pins.unpin(mac)) {
            throw new NotFoundException("Pin of " + mac);
        }
    }

    @GET
    @Allowed(Role.VIEWER)
    @Operation(summary = "Pins by MAC, paged")
    public Page<PinView> list(@PathParam("tenant") String tenant, @QueryParam("after") String after,
            @QueryParam("limit") Integer limit, @Context UriInfo uri) {
        var slice = pins.list(after, PageCursor.limit(limit));
        return Page.of(slice.map(PinView::of), uri);
    }
}
