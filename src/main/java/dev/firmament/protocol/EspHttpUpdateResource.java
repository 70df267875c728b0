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

    /**
     * What a header-protocol check-in is answered, before anything is written: {@code NOT_MODIFIED} (304, nothing to
     * do), {@code VERSION} (200 with {@code x-version}, and {@code x-MD5} when an image would be sent:
     * {@code getAvailableVersion}), {@code REFUSED} (the client's own status: 403 for a key or a blocked device, 404
     * for a product) or {@code IMAGE} (the offer whose image is to be sent).
     */
    record Answer(Kind kind, int status, String message, String version, String md5, Offer offer) {

        enum Kind {
            NOT_MODIFIED, VERSION, REFUSED, IMAGE
        }

        static final Answer NOT_MODIFIED = new Answer(Kind.NOT_MODIFIED, 304, null, null, null, null);

        static Answer version(String version, String md5) {
            return new Answer(Kind.VERSION, 200, null, version, md5, null);
        }

        static Answer refused(int status, String message) {
            return new Answer(Kind.REFUSED, status, message, null, null, null);
        }

        static Answer image(Offer offer) {
            return new Answer(Kind.IMAGE, 200, null, null, null, offer);
        }
    }

    /** An offer: the image of {@code decision} goes to the device. */
    record Offer(DeviceKeyRegistry.Entry key, DeviceReport report, Decision decision) {
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

        /** The JAX-RS form of the answer, for the resource. */
        Response answer(String key, String product, DeviceHeaders.Headers headers, RoutingContext request)
                throws IOException {
            Answer answer = decide(key, product, headers, request);
            return switch (answer.kind()) {
            case NOT_MODIFIED -> Response.notModified().build();
            case VERSION -> {
                Response.ResponseBuilder ok = Response.ok().header("x-version", answer.version());
                yield (answer.md5() == null ? ok : ok.header("x-MD5", answer.md5())).build();
            }
            case REFUSED -> plain(answer.status(), answer.message());
            case IMAGE -> image(answer.offer(), request);
            };
        }

        /**
         * Everything but sending an image, which may have to fetch it from the object store first: without a database
         * or storage call, so the route can run it on the event loop.
         */
        Answer decide(String key, String product, DeviceHeaders.Headers headers, RoutingContext request) {
            Optional<DeviceKeyRegistry.Entry> entry = gateway.key(key, "update");
            if (entry.isEmpty()) {
                return Answer.refused(403, "Unknown or revoked device key");
            }
            DeviceReport report = DeviceHeaders.espHttpUpdate(headers, product,
                    request.request().remoteAddress().hostAddress());
            Decision decision = gateway.checkIn(entry.get(), report);
            if (decision.reason() == Decision.Reason.UNKNOWN_PRODUCT) {
                return Answer.refused(404, "No product " + product);
            }
            if (decision.outcome() == Outcome.BLOCKED) {
                return Answer.refused(403, "This device is blocked");
            }
            if (report.mode() == DeviceReport.Mode.VERSION) {
                return availableVersion(report, decision);
            }
            if (decision.outcome() != Outcome.OFFER) {
                return Answer.NOT_MODIFIED;
            }
            return Answer.image(new Offer(entry.get(), report, decision));
        }

        /** The image of an offer (may block: the object store fills the local cache on a miss). */
        Response image(Offer offer, RoutingContext request) throws IOException {
            Decision decision = offer.decision();
            return images.send(ImageResponses.Surface.HEADER, offer.key().tenantId(), offer.report().mac(),
                    decision.release(), decision.kind(), null, false,
                    decision.source() == Decision.Source.ROLLOUT ? decision.rolloutId() : null, request);
        }

        /**
         * {@code getAvailableVersion()} (newest ESP8266 core) wants 200 and {@code x-version}, and downloads nothing.
         * It is told exactly what {@code update()} would get at this moment — the same decision, with the same checks
         * of chip, flash, free space, downgrade and download cap: the offered version and its MD5. When nothing would
         * be sent, it is told the device's own version, so that the usual sketch ({@code if (available != current)
         * update()}) sees nothing new; the client has no "no update" answer for this call. A device that says no
         * version gets 304, which the client reports as an error (-104): without its version it could not compare.
         */
        private static Answer availableVersion(DeviceReport report, Decision decision) {
            if (decision.outcome() == Outcome.OFFER) {
                return Answer.version(decision.release().version(),
                        decision.image() == null ? null : decision.image().md5());
            }
            return report.version() != null ? Answer.version(report.version(), null) : Answer.NOT_MODIFIED;
        }
    }
}
