package dev.firmament.console;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.firmament.device.DeviceQueries.DeviceEvent;
import dev.firmament.format.Bytes;
import dev.firmament.release.ImageHeader;

/**
 * A device event in words for the console's timeline ({@code {fmt:words(e)}}, in {@link ConsoleExtensions}): what
 * happened and, for an image withheld or a failure, why — never the stored JSON.
 */
public final class EventWords {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Decision reasons as a sentence's end: "withheld: …". */
    private static final Map<String, String> WITHHELD = Map.of("downgrade-not-allowed",
            "it is older than the version this device runs, and nothing allows a downgrade", "download-cap-reached",
            "its rollout wave allows only so many downloads at once; it is offered again at a later check-in");

    private EventWords() {
    }

    static String words(DeviceEvent event) {
        JsonNode d = detail(event.detail());
        String rollout = d.hasNonNull("rolloutId") ? "rollout #" + d.get("rolloutId").asText() : "its rollout";
        return switch (event.type()) {
        case "offered" -> "Offered the " + text(d, "kind", "firmware") + " image" + by(d)
                + (d.hasNonNull("fromVersion") ? " to replace " + d.get("fromVersion").asText() : "");
        case "withheld" -> "Withheld" + by(d) + ": " + withheld(d);
        case "downloaded" -> d.path("complete").asBoolean(false)
                ? "Downloaded the whole " + text(d, "kind", "firmware") + " image ("
                        + Bytes.human(d.path("size").asLong()) + ")"
                : d.path("brokenOff").asBoolean(false)
                        ? "Download broke off: the device lost the connection before the "
                                + Bytes.human(d.path("size").asLong()) + " image was through"
                        : "Sent " + Bytes.human(d.path("bytes").asLong()) + " of the "
                                + Bytes.human(d.path("size").asLong()) + " image (a part the device asked for)";
        case "installed" -> "Installed: the device now reports "
                + (d.path("version").asText().isEmpty() ? "the image" : d.path("version").asText());
        case "failed" -> "Failed: after the install timeout the device still reports another image ("
                + (d.path("reportedVersion").asText().isEmpty() ? "MD5 " + d.path("reportedMd5").asText()
                        : d.path("reportedVersion").asText())
                + ")";
        case "quarantined" -> "Quarantined from " + rollout + ": it downloaded the image " + d.path("downloads").asInt()
                + " times without installing it (an update loop); it is offered" + " nothing more by it";
        case "reverted" -> "Reverted in " + rollout + ": it had installed the release and now reports another image"
                + " (its bootloader rolled back, or it was flashed by hand); it is offered nothing more by it";
        default -> event.type();
        };
    }

    private static String withheld(JsonNode d) {
        String reason = text(d, "reason", "");
        if (reason.equals("larger-than-free-space")) {
            return "the " + Bytes.human(d.path("size").asLong()) + " image is larger than the "
                    + Bytes.human(d.path("freeSpace").asLong()) + " of free space this device reports";
        }
        String chip = ImageHeader.chipName(text(d, "imageChip", null));
        String client = text(d, "client", "");
        switch (reason) {
        case "wrong-chip":
            return "the image is for " + chip + " and this device is "
                    + ("esp32".equals(client) ? "an ESP32" : "an ESP8266") + " ("
                    + ("esp32".equals(client) ? "ESP32 HTTPUpdate" : client) + " client)";
        case "gzip-not-supported":
            return "the image is gzip-compressed, which only the ESP8266 core (2.7 and later) unpacks";
        case "flash-too-small":
            return "the image was built for " + Bytes.human(d.path("imageFlashSize").asLong())
                    + " of flash and this device reports " + Bytes.human(d.path("chipSize").asLong());
        default:
            return WITHHELD.getOrDefault(reason, reason.replace('-', ' '));
        }
    }

    private static String by(JsonNode d) {
        return switch (text(d, "source", "")) {
        case "pin" -> " (its pin)";
        case "rule" -> " (rule #" + d.path("ruleId").asText() + ")";
        case "rollout" -> " (rollout #" + d.path("rolloutId").asText() + ", wave " + (d.path("wave").asInt() + 1) + ")";
        default -> "";
        };
    }

    private static String text(JsonNode d, String field, String otherwise) {
        return d.hasNonNull(field) ? d.get(field).asText() : otherwise;
    }

    private static JsonNode detail(String json) {
        try {
            return json == null ? JSON.createObjectNode() : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }
}
