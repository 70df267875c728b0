package dev.firmament.protocol;

import java.io.IOException;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import dev.firmament.device.DeviceKeyRegistry;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;

/**
 * The ESP8266httpUpdate / ESP32 HTTPUpdate header protocol. Answers are exactly what those clients understand: 304 when
 * nothing is due, 200 with the image when something is, 403 for an unknown key or a blocked device, 400 for malformed
 * identity headers; never a redirect, never 204 (ESP8266 treats it as an error).
 */
@Path("/d/{key}/update")
@Tag(name = "Device: ESP header protocol")
public class EspHttpUpdateResource {

    private final DeviceGateway gateway;
    private final ImageResponses images;

    EspHttpUpdateResource(DeviceGateway gateway, ImageResponses images) {
        this.gateway = gateway;
        this.images = images;
    }

    @GET
    @Operation(summary = "Firmware or filesystem check and download (ESPhttpUpdate.update / updateFS)")
    public Response update(@PathParam("key") String key, @Context HttpHeaders headers,
            @Context HttpServerRequest request, @Context HttpServerResponse response) throws IOException {
        return check(key, null, headers, request, response);
    }

    @GET
    @Path("{product}")
    @Operation(summary = "The same, naming the product (device type) in the URL")
    public Response updateProduct(@PathParam("key") String key, @PathParam("product") String product,
            @Context HttpHeaders headers, @Context HttpServerRequest request, @Context HttpServerResponse response)
            throws IOException {
        return check(key, product, headers, request, response);
    }

    private Response check(String key, String product, HttpHeaders headers, HttpServerRequest request,
            HttpServerResponse response) throws IOException {
        Optional<DeviceKeyRegistry.Entry> entry = gateway.key(key, "update");
        if (entry.isEmpty()) {
            return plain(403, "Unknown or revoked device key");
        }
        DeviceReport report = DeviceHeaders.espHttpUpdate(headers, product, request.remoteAddress().hostAddress());
        Decision decision = gateway.checkIn(entry.get(), report);
        if (decision.reason() == Decision.Reason.UNKNOWN_PRODUCT) {
            return plain(404, "No product " + product);
        }
        if (decision.outcome() == Outcome.BLOCKED) {
            return plain(403, "This device is blocked");
        }
        if (report.mode() == DeviceReport.Mode.VERSION) {
            return availableVersion(report, decision);
        }
        if (decision.outcome() != Outcome.OFFER) {
            return Response.notModified().build();
        }
        return images.send(entry.get().tenantId(), report.mac(), decision.release(), decision.kind(), null, false,
                decision.source() == Decision.Source.ROLLOUT ? decision.rolloutId() : null, response);
    }

    /**
     * {@code getAvailableVersion()} (newest ESP8266 core) wants 200 and {@code x-version}: the version the device's pin
     * or rule points at, or, with none, its own; it downloads nothing.
     */
    private static Response availableVersion(DeviceReport report, Decision decision) {
        if (decision.release() != null) {
            Response.ResponseBuilder ok = Response.ok().header("x-version", decision.release().version());
            if (decision.release().firmware() != null) {
                ok.header("x-MD5", decision.release().firmware().md5());
            }
            return ok.build();
        }
        if (report.version() != null) {
            return Response.ok().header("x-version", report.version()).build();
        }
        return Response.notModified().build();
    }

    @ServerExceptionMapper
    Response badRequest(BadDeviceRequestException e) {
        return plain(400, e.getMessage());
    }

    static Response plain(int status, String message) {
        return Response.status(status).type("text/plain").entity(message + "\n").build();
    }
}
