package dev.firmament.release;

import java.util.Locale;
import java.util.Map;

/**
 * What the first bytes of a firmware image say about the hardware it runs on, read as esptool reads them
 * ({@code esptool/bin_image.py}): an application image starts with {@code 0xE9}, the segment count, the SPI flash mode
 * and a byte whose high nibble is the flash size and low nibble the flash frequency, then the entry point. ESP32-family
 * images follow this with a 16-byte extended header: the chip id at bytes 12–13, the minimum and maximum chip revision
 * ({@code major * 100 + minor}) at 15–16 and 17–18, and at 23 whether a SHA-256 of the image is appended. An ESP8266
 * image has no extended header; it is told apart by its entry point, which lies in the ESP8266's instruction RAM. A
 * gzip stream ({@code 1f 8b}) is an ESP8266 image: only the ESP8266 core (2.7 and later) unpacks one.
 *
 * @param format
 *            {@code esp8266-app}, {@code esp32-app} or {@code gzip}
 * @param chip
 *            {@code esp8266}, {@code esp32}, {@code esp32s3}, … (a gzip image: {@code esp8266})
 * @param flashSize
 *            bytes of flash the image was built for; null for gzip (compressed away)
 */
public record ImageHeader(String format, String chip, Long flashSize, String flashMode, String flashFrequency,
        Integer minChipRevision, Integer maxChipRevision, Boolean sha256Appended) {

    public static final String ESP8266_APP = "esp8266-app";
    public static final String ESP32_APP = "esp32-app";
    public static final String GZIP = "gzip";

    /** Bytes {@link #read} needs: the common header and the ESP32 extended header. */
    static final int LENGTH = 24;

    /** esptool's {@code IMAGE_CHIP_ID} of each ESP32-family target ({@code esptool/targets/*.py}). */
    static final Map<Integer, String> ESP32_CHIPS = Map.ofEntries(Map.entry(0, "esp32"), Map.entry(2, "esp32s2"),
            Map.entry(5, "esp32c3"), Map.entry(9, "esp32s3"), Map.entry(12, "esp32c2"), Map.entry(13, "esp32c6"),
            Map.entry(16, "esp32h2"), Map.entry(18, "esp32p4"), Map.entry(20, "esp32c61"), Map.entry(23, "esp32c5"),
            Map.entry(25, "esp32h21"), Map.entry(28, "esp32h4"));

    /** Every chip a product can declare, besides {@code any}. */
    public static final java.util.Set<String> CHIPS;
    static {
        java.util.Set<String> chips = new java.util.TreeSet<>(ESP32_CHIPS.values());
        chips.add("esp8266");
        CHIPS = java.util.Collections.unmodifiableSet(chips);
    }

    private static final String[] FLASH_MODES = { "qio", "qout", "dio", "dout" };

    /**
     * Reads the header of an image's first {@link #LENGTH} bytes (fewer for a short file).
     *
     * @throws InvalidImageException
     *             when the bytes are no image a device of a known chip would accept, saying what they are
     */
    static ImageHeader read(byte[] head) {
        if (head.length == 0) {
            throw new InvalidImageException("The firmware image is empty");
        }
        int magic = head[0] & 0xff;
        if (magic == 0x1f && head.length > 1 && (head[1] & 0xff) == 0x8b) {
            return new ImageHeader(GZIP, "esp8266", null, null, null, null, null, null);
        }
        if (magic != 0xE9) {
            throw new InvalidImageException(String.format(Locale.ROOT,
                    "The firmware image starts with 0x%02x: an ESP image starts with 0xE9 and a gzip image with 1f 8b"
                            + " (is this the right file?)",
                    magic));
        }
        int segments = head.length > 1 ? head[1] & 0xff : 0;
        if (segments < 1 || segments > 16) {
            throw new InvalidImageException(
                    "The ESP image header declares " + segments + " segments (1 to 16 expected)");
        }
        if (head.length < 8) {
            throw new InvalidImageException("The firmware image ends inside its header (" + head.length + " bytes)");
        }
        String mode = (head[2] & 0xff) < FLASH_MODES.length ? FLASH_MODES[head[2] & 0xff] : null;
        int sizeCode = (head[3] & 0xf0) >> 4;
        int frequencyCode = head[3] & 0x0f;
        long entry = u32(head, 4);
        if (entry >= 0x40100000L && entry < 0x40110000L) {
            // The ESP8266's instruction RAM: eboot (the Arduino core's bootloader) starts at 0x4010f000.
            return new ImageHeader(ESP8266_APP, "esp8266", esp8266FlashSize(sizeCode), mode, frequency(frequencyCode),
                    null, null, null);
        }
        if (head.length < LENGTH) {
            throw new InvalidImageException("The firmware image ends inside its header (" + head.length + " bytes)");
        }
        int chipId = u16(head, 12);
        int appendedDigest = head[23] & 0xff;
        String chip = ESP32_CHIPS.get(chipId);
        if (chip == null || appendedDigest > 1) {
            throw new InvalidImageException(String.format(Locale.ROOT,
                    "The firmware image is an ESP image for no chip Firmament knows: its entry point 0x%08x is not an"
                            + " ESP8266's and its header names chip id %d (ESP32 0, S2 2, C3 5, S3 9, C2 12, C6 13,"
                            + " H2 16, P4 18, C5 23)",
                    entry, chipId));
        }
        return new ImageHeader(ESP32_APP, chip, sizeCode <= 7 ? (1L << 20) << sizeCode : null, mode,
                frequency(frequencyCode), u16(head, 15), u16(head, 17), appendedDigest == 1);
    }

    /** The Arduino core's {@code EspClass::magicFlashChipSize}. */
    private static Long esp8266FlashSize(int code) {
        return switch (code) {
        case 0x0 -> 512L << 10;
        case 0x1 -> 256L << 10;
        case 0x2 -> 1L << 20;
        case 0x3 -> 2L << 20;
        case 0x4 -> 4L << 20;
        case 0x8 -> 8L << 20;
        case 0x9 -> 16L << 20;
        default -> null;
        };
    }

    /** The codes ESP8266 and ESP32 images share; chips differ above these (esptool's FLASH_FREQUENCY per target). */
    private static String frequency(int code) {
        return switch (code) {
        case 0x0 -> "40m";
        case 0x1 -> "26m";
        case 0x2 -> "20m";
        case 0xf -> "80m";
        default -> null;
        };
    }

    /** The chip in words, as Espressif writes it: {@code ESP32-S3}, {@code ESP8266}. */
    public static String chipName(String chip) {
        if (chip == null) {
            return "unknown chip";
        }
        String upper = chip.toUpperCase(Locale.ROOT);
        return upper.startsWith("ESP32") && upper.length() > 5 ? "ESP32-" + upper.substring(5) : upper;
    }

    /** A description for error messages: "an ESP32-S3 application image (built for 8 MB of flash)". */
    public String describe() {
        return switch (format) {
        case GZIP -> "a gzip-compressed ESP8266 image";
        default -> "an " + chipName(chip) + " application image" + (flashSize == null ? "" : " (built for "
                + (flashSize >> 10 >= 1024 ? (flashSize >> 20) + " MB" : (flashSize >> 10) + " KB") + " of flash)");
        };
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }
}
