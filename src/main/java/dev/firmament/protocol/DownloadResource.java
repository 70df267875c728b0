package dev.firmament.protocol;

import java.io.IOException;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.vertx.ext.web.RoutingContext;

import dev.firmament.device.DeviceKeyRegistry;
import dev.firmament.targeting.TargetingSnapshot;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;

/**
 * Release images at the paths NoFUSS answers name ({@code /d/{key}/nofuss/dl/{release}/fw|fs}; the doubled slashes
 * clients add are collapsed before routing) and at {@code /d/{key}/dl/{release}/fw|fs} for scripts. Always the image,
 * never 304: NoFUSS 0.4 counts a 304 on a download as an error.
 */
@Path("/d/{key}")
@Tag(name = "Device: downloads")
public class DownloadResource {

    private final DeviceGateway gateway;
    private final ImageResponses images;

    DownloadResource(DeviceGateway gateway, ImageResponses images) {
        this.gateway = gateway;
        this.images = images;
    }

    /** The path of an image relative to the NoFUSS base URL. */
    static String path(long releaseId, String kind) {
        return "/dl/" + releaseId + "/" + kind;
    }

    @GET
    @Path("{prefix: (nofuss/)?}dl/{release}/{kind}")
    @Operation(summary = "Download a release image (Range supported)")
    public Response get(@PathParam("key") String key, @PathParam("release") String release,
            @PathParam("kind") String kind, @HeaderParam("Range") String range, @Context HttpHeaders headers,
            @Context RoutingContext request) throws IOException {
        return serve(key, release, kind, range, headers, false, request);
    }

    @HEAD
    @Path("{prefix: (nofuss/)?}dl/{release}/{kind}")
    @Operation(summary = "Size, MD5 and ETag of a release image")
    public Response head(@PathParam("key") String key, @PathParam("release") String release,
            @PathParam("kind") String kind, @HeaderParam("Range") String range, @Context HttpHeaders headers,
            @Context RoutingContext request) throws IOException {
        return serve(key, release, kind, range, headers, true, request);
    }

    private Response serve(String key, String releaseId, String kindName, String range, HttpHeaders headers,
            boolean head, RoutingContext request) throws IOException {
        Optional<DeviceKeyRegistry.Entry> entry = gateway.key(key, "download");
        if (entry.isEmpty()) {
            return EspHttpUpdateResource.plain(403, "Unknown or revoked device key");
        }
        ImageKind kind = switch (kindName) {
        case "fw" -> ImageKind.FIRMWARE;
        case "fs" -> ImageKind.FILESYSTEM;
        default -> null;
        };
        TargetingSnapshot snapshot = gateway.snapshot(entry.get());
        ReleaseEntry release = releaseId.matches("\\d{1,18}") ? snapshot.releases().get(Long.parseLong(releaseId))
                : null;
        if (kind == null || release == null || release.image(kind) == null) {
            return EspHttpUpdateResource.plain(404, "No such image");
        }
        String mac = DeviceHeaders.optionalMac(headers::getHeaderString); // NoFUSS downloads go through ESPhttpUpdate
        if (mac != null && snapshot.deviceOverride(mac).blocked()) {
            return EspHttpUpdateResource.plain(403, "This device is blocked");
        }
        TargetingSnapshot.RolloutEntry rollout = snapshot.rolloutShipping(release.id());
        return images.send(ImageResponses.Surface.DOWNLOAD, entry.get().tenantId(), mac, release, kind, range, head,
                rollout == null ? null : rollout.id(), request);
    }
}
