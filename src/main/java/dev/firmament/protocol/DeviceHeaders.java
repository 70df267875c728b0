package dev.firmament.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

import dev.firmament.device.Mac;
import dev.firmament.targeting.DeviceReport;
import dev.firmament.targeting.DeviceReport.Client;
import dev.firmament.targeting.DeviceReport.Mode;

/**
 * Turns the {@code x-ESP8266-*} / {@code x-ESP32-*} headers of ESPhttpUpdate and HTTPUpdate, and the
 * {@code X-ESP8266-*} headers of NoFUSS, into a validated {@link DeviceReport}. Header names are matched without regard
 * to case, as the clients themselves do. Anything malformed is refused rather than guessed at.
 */
final class DeviceHeaders {

    /** Longest value accepted for free-form fields (versions, SDK strings, builds). */
    static final int MAX_TEXT = 64;
    private static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,19}");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7e]*");

    private DeviceHeaders() {
    }

    /**
     * A request's header by name, ignoring case; null when absent. JAX-RS ({@code HttpHeaders::getHeaderString}) and
     * Vert.x ({@code request.headers()::get}) requests both provide one.
     */
    @FunctionalInterface
    interface Headers {
        String get(String name);
    }

    /** The header protocol: the client family is whichever header set is present. */
    static DeviceReport espHttpUpdate(Headers headers, String product, String ip) {
        String prefix;
        Client client;
        if (headers.get("x-ESP8266-STA-MAC") != null || headers.get("x-ESP8266-mode") != null) {
            prefix = "x-ESP8266-";
            client = Client.ESP8266;
        } else if (headers.get("x-ESP32-STA-MAC") != null || headers.get("x-ESP32-BASE-MAC") != null
                || headers.get("x-ESP32-mode") != null) {
            prefix = "x-ESP32-";
            client = Client.ESP32;
        } else {
            throw new BadDeviceRequestException("No x-ESP8266-* or x-ESP32-* identity headers");
        }
        String rawMac = headers.get(prefix + "STA-MAC");
        if (rawMac == null && client == Client.ESP32) {
            rawMac = headers.get(prefix + "BASE-MAC"); // ESP32 chips without Wi-Fi (core 3.x)
        }
        String mac = mac(rawMac, prefix + "STA-MAC");
        return new DeviceReport(client, mac, mode(headers.get(prefix + "mode")), product,
                text(headers, prefix + "version"), md5(headers.get(prefix + "sketch-md5")),
                number(headers, prefix + "free-space"), number(headers, prefix + "sketch-size"),
                number(headers, prefix + "chip-size"), number(headers, prefix + "Chip-ID"),
                text(headers, prefix + "sdk-version"), null, ip);
    }

    /**
     * NoFUSS 0.2+: MAC, DEVICE and VERSION identify the device. As the PHP server, a request missing one of them is
     * answered {@code {}}, so this returns null for it; malformed values are errors.
     */
    static DeviceReport noFuss(Headers headers, String ip) {
        String rawMac = headers.get("X-ESP8266-MAC");
        String device = text(headers, "X-ESP8266-DEVICE");
        String version = text(headers, "X-ESP8266-VERSION");
        if (isEmpty(rawMac) || isEmpty(device) || isEmpty(version)) {
            return null;
        }
        return new DeviceReport(Client.NOFUSS, mac(rawMac, "X-ESP8266-MAC"), Mode.FIRMWARE, device, version,
                md5(headers.get("X-ESP8266-SKETCH-MD5")), number(headers, "X-ESP8266-FREE-SPACE"),
                number(headers, "X-ESP8266-SKETCH-SIZE"), number(headers, "X-ESP8266-CHIPSIZE"),
                number(headers, "X-ESP8266-CHIPID"), text(headers, "X-ESP8266-SDK-VERSION"),
                text(headers, "X-ESP8266-BUILD"), ip);
    }

    /**
     * The MAC an ESPhttpUpdate/HTTPUpdate request names, if it names a valid one: downloads use it only to record who
     * pulled the image, and scripts send none.
     */
    static String optionalMac(Headers headers) {
        for (String header : new String[] { "x-ESP8266-STA-MAC", "x-ESP32-STA-MAC", "x-ESP32-BASE-MAC" }) {
            String value = headers.get(header);
            if (value != null) {
                return Mac.parse(value).orElse(null);
            }
        }
        return null;
    }

    /** NoFUSS 0.1 sends no headers at all: device and version come from the path, identity from nothing. */
    static void requireText(String value, String what) {
        if (value == null || value.isEmpty() || value.length() > MAX_TEXT || !PRINTABLE.matcher(value).matches()) {
            throw new BadDeviceRequestException(what + " must be 1 to " + MAX_TEXT + " printable characters");
        }
    }

    private static String mac(String raw, String header) {
        if (raw == null || raw.isBlank()) {
            throw new BadDeviceRequestException("Missing " + header);
        }
        return Mac.parse(raw).orElseThrow(() -> new BadDeviceRequestException(header + " is " + Mac.whyNot(raw)));
    }

    private static Mode mode(String raw) {
        if (raw == null) {
            return Mode.FIRMWARE; // every released client sends it; a hand-made request may not
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
        case "sketch" -> Mode.FIRMWARE;
        case "spiffs", "littlefs", "fatfs", "flashfs", "fs" -> Mode.FILESYSTEM;
        case "version" -> Mode.VERSION;
        default -> throw new BadDeviceRequestException("Unknown update mode: " + abbreviate(raw));
        };
    }

    private static String md5(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (!MD5.matcher(raw.trim()).matches()) {
            throw new BadDeviceRequestException("The sketch MD5 is not 32 hex digits");
        }
        return raw.trim().toLowerCase(Locale.ROOT);
    }

    private static Long number(Headers headers, String name) {
        String raw = headers.get(name);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        String trimmed = raw.trim();
        if (!DECIMAL.matcher(trimmed).matches()) {
            throw new BadDeviceRequestException(name + " is not a decimal number");
        }
        try {
            return Long.parseLong(trimmed);
        } catch (NumberFormatException e) {
            throw new BadDeviceRequestException(name + " is out of range");
        }
    }

    private static String text(Headers headers, String name) {
        String raw = headers.get(name);
        if (raw == null) {
            return null;
        }
        String trimmed = raw.trim();
        if (trimmed.length() > MAX_TEXT || !PRINTABLE.matcher(trimmed).matches()) {
            throw new BadDeviceRequestException(name + " must be at most " + MAX_TEXT + " printable characters");
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isBlank();
    }

    private static String abbreviate(String value) {
        return value.length() > 20 ? value.substring(0, 20) + "…" : value;
    }
}
