package dev.firmament.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.vertx.core.http.HttpServerRequest;

import dev.firmament.device.DeviceKeyRegistry;
import dev.firmament.targeting.Decision;
import dev.firmament.targeting.Decision.Outcome;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.DeviceReport.Client;
import dev.firmament.targeting.DeviceReport.Mode;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;

/**
 * The NoFUSS protocol. Every answer is 200 with compact JSON, as the clients require: {@code {}} for "up to date" (also
 * for anything the PHP server would not match: missing headers, unknown keys, blocked devices), or
 * {@code {"version","firmware","spiffs"}} with paths relative to the server URL and never a null.
 */
@Path("/d/{key}/nofuss")
@Tag(name = "Device: NoFUSS")
@Produces(MediaType.APPLICATION_JSON)
public class NoFussResource {

    static final Map<String, String> UP_TO_DATE = Map.of();

    private final DeviceGateway gateway;

    NoFussResource(DeviceGateway gateway) {
        this.gateway = gateway;
    }

    @GET
    @Operation(summary = "NoFUSS 0.2+ check (X-ESP8266-MAC, -DEVICE, -VERSION, -BUILD headers)")
    public Map<String, String> check(@PathParam("key") String key, @Context HttpHeaders headers,
            @Context HttpServerRequest request) {
        Optional<DeviceKeyRegistry.Entry> entry = gateway.key(key, "nofuss");
        if (entry.isEmpty()) {
            return UP_TO_DATE;
        }
        DeviceReport report;
        try {
            report = DeviceHeaders.noFuss(headers::getHeaderString, request.remoteAddress().hostAddress());
        } catch (BadDeviceRequestException malformed) {
            return UP_TO_DATE;
        }
        return report == null ? UP_TO_DATE : answer(gateway.checkIn(entry.get(), report));
    }

    @GET
    @Path("{device}/{version}")
    @Operation(summary = "NoFUSS 0.1 check: device and version in the path, no identity headers")
    public Map<String, String> legacyCheck(@PathParam("key") String key, @PathParam("device") String device,
            @PathParam("version") String version, @Context HttpServerRequest request) {
        Optional<DeviceKeyRegistry.Entry> entry = gateway.key(key, "nofuss");
        if (entry.isEmpty()) {
            return UP_TO_DATE;
        }
        try {
            DeviceHeaders.requireText(device, "DEVICE");
            DeviceHeaders.requireText(version, "VERSION");
        } catch (BadDeviceRequestException malformed) {
            return UP_TO_DATE;
        }
        DeviceReport report = new DeviceReport(Client.NOFUSS, null, Mode.FIRMWARE, device, version, null, null, null,
                null, null, null, null, request.remoteAddress().hostAddress());
        return answer(gateway.checkIn(entry.get(), report));
    }

    /** Paths such that {@code server + path} (0.1) and {@code server + "/" + path} (0.2+) both reach the image. */
    private static Map<String, String> answer(Decision decision) {
        if (decision.outcome() != Outcome.OFFER) {
            return UP_TO_DATE;
        }
        ReleaseEntry release = decision.release();
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("version", release.version());
        answer.put("firmware", release.firmware() == null ? "" : DownloadResource.path(release.id(), "fw"));
        answer.put("spiffs", release.filesystem() == null ? "" : DownloadResource.path(release.id(), "fs"));
        return answer;
    }
}
