package dev.firmament.targeting;

/**
 * What a device said about itself in one check-in, already validated: the decider's input.
 *
 * @param mac
 *            the canonical MAC ({@code AA:BB:CC:DD:EE:FF})
 * @param product
 *            the product the request names (URL or NoFUSS {@code DEVICE}), or null
 * @param version
 *            the running version, or null when the client sent none
 * @param sketchMd5
 *            MD5 of the running firmware (lower-case hex), or null
 * @param freeSpace
 *            free space for a new firmware image in bytes, or null
 * @param build
 *            the NoFUSS build string, or null
 */
public record DeviceReport(Client client, String mac, Mode mode, String product, String version, String sketchMd5,
        Long freeSpace, Long sketchSize, Long chipSize, Long chipId, String sdkVersion, String build, String ip) {

    /** The client library that made the request. */
    public enum Client {
        ESP8266, ESP32, NOFUSS;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The client of a stored {@link #code()}, null for null. */
        public static Client of(String code) {
            return code == null ? null : valueOf(code.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** What the device asks for. */
    public enum Mode {
        /** A firmware image ({@code sketch}). */
        FIRMWARE("sketch"),
        /** A filesystem image ({@code spiffs}, {@code littlefs}, {@code fatfs}, {@code flashfs}). */
        FILESYSTEM("filesystem"),
        /** Only the version that would be offered ({@code getAvailableVersion}). */
        VERSION("version");

        private final String code;

        Mode(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
