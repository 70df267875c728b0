package dev.firmament.protocol;

import java.io.IOException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.vertx.ext.web.RoutingContext;

import dev.firmament.device.DeviceKeyRegistry;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;

/**
 * The ESP8266httpUpdate / ESP32 HTTPUpdate header protocol. Answers are exactly what those clients understand: 304 when
 * nothing is due, 200 with the image when something is, 403 for an unknown key or a blocked device, 400 for malformed
 * identity headers; never a redirect, never 204 (ESP8266 treats it as an error).
 *
 * <p>
 * Check-ins normally arrive through {@link EspHttpUpdateRoute}, a plain Vert.x route in front of Quarkus REST; this
 * resource answers what that route leaves (HEAD) and documents the endpoint. Both answer through {@link Check}.
 */
@Path("/d/{key}/update")
@Tag(name = "Device: ESP header protocol")
public class EspHttpUpdateResource {

    private final Check check;

    EspHttpUpdateResource(Check check) {
        this.check = check;
    }

    @GET
    @Operation(summary = "Firmware or filesystem check and download (ESPhttpUpdate.update / updateFS)")
    public Response update(@PathParam("key") String key, @Context HttpHeaders headers, @Context RoutingContext request)
            throws IOException {
        return check.answer(key, null, headers::getHeaderString, request);
    }

    @GET
    @Path("{product}")
    @Operation(summary = "The same, naming the product (device type) in the URL")
    public Response updateProduct(@PathParam("key") String key, @PathParam("product") String product,
            @Context HttpHeaders headers, @Context RoutingContext request) throws IOException {
        return check.answer(key, product, headers::getHeaderString, request);
    }

    @ServerExceptionMapper
    Response badRequest(BadDeviceRequestException e) {
        return plain(400, e.getMessage());
    }

    static Response plain(int status, String message) {
        return Response.status(status).type("text/plain").entity(message + "\n").build();
    }

    /** One check-in of the header protocol, from the request to the answer. */
    @ApplicationScoped
    static class Check {

        private final DeviceGateway gateway;
        private final ImageResponses images;

        Check(DeviceGateway gateway, ImageResponses images) {
            this.gateway = gateway;
            this.images = images;
        }

        Response answer(String key, String product, DeviceHeaders.Headers headers, RoutingContext request)
                throws IOException {
            Decided decided = decide(key, product, headers, request);
            return decided.answer() != null ? decided.answer() : image(decided, request);
        }

        /**
         * Everything but sending an image, which may have to fetch it from the object store first: without a database
         * or storage call, so the route can run it on the event loop.
         */
        Decided decide(String key, String product, DeviceHeaders.Headers headers, RoutingContext request) {
            Optional<DeviceKeyRegistry.Entry> entry = gateway.key(key, "update");
            if (entry.isEmpty()) {
                return Decided.answered(plain(403, "Unknown or revoked device key"));
            }
            DeviceReport report = DeviceHeaders.espHttpUpdate(headers, product,
                    request.request().remoteAddress().hostAddress());
            Decision decision = gateway.checkIn(entry.get(), report);
            if (decision.reason() == Decision.Reason.UNKNOWN_PRODUCT) {
                return Decided.answered(plain(404, "No product " + product));
            }
            if (decision.outcome() == Outcome.BLOCKED) {
                return Decided.answered(plain(403, "This device is blocked"));
            }
            if (report.mode() == DeviceReport.Mode.VERSION) {
                return Decided.answered(availableVersion(report, decision));
            }
            if (decision.outcome() != Outcome.OFFER) {
                return Decided.answered(Response.notModified().build());
            }
            return new Decided(entry.get(), report, decision, null);
        }

        /** The image of an offer (may block: the object store fills the local cache on a miss). */
        Response image(Decided offer, RoutingContext request) throws IOException {
            Decision decision = offer.decision();
            return images.send(offer.key().tenantId(), offer.report().mac(), decision.release(), decision.kind(), null,
                    false, decision.source() == Decision.Source.ROLLOUT ? decision.rolloutId() : null, request);
        }

        /**
         * {@code getAvailableVersion()} (newest ESP8266 core) wants 200 and {@code x-version}, and downloads nothing.
         * It is told exactly what {@code update()} would get at this moment — the same decision, with the same checks
         * of chip, flash, free space, downgrade and download cap: the offered version and its MD5. When nothing would
         * be sent, it is told the device's own version, so that the usual sketch ({@code if (available != current)
         * update()}) sees nothing new; the client has no "no update" answer for this call. A device that says no
         * version gets 304, which the client reports as an error (-104): without its version it could not compare.
         */
        private static Response availableVersion(DeviceReport report, Decision decision) {
            if (decision.outcome() == Outcome.OFFER) {
                Response.ResponseBuilder ok = Response.ok().header("x-version", decision.release().version());
                if (decision.image() != null) {
                    ok.header("x-MD5", decision.image().md5());
                }
                return ok.build();
            }
            if (report.version() != null) {
                return Response.ok().header("x-version", report.version()).build();
            }
            return Response.notModified().build();
        }
    }

    /** A decided check-in: the answer, or (answer null) the offer whose image is to be sent. */
    record Decided(DeviceKeyRegistry.Entry key, DeviceReport report, Decision decision, Response answer) {

        static Decided answered(Response answer) {
            return new Decided(null, null, null, answer);
        }
    }
}
