package dev.firmament.release;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks the first bytes of an upload without reading it into memory: devices refuse a firmware image that is not an
 * ESP image ({@code 0xE9} and a plausible segment count) or a gzip stream ({@code 1f 8b}, ESP8266 core 2.7+).
 */
final class ImageValidation {

    private ImageValidation() {
    }

    /** Returns a stream that still yields every byte, after checking the firmware header. */
    static InputStream firmware(InputStream upload) throws IOException {
        BufferedInputStream in = new BufferedInputStream(upload, 8192);
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        if (head.length == 0) {
            throw new InvalidImageException("The firmware image is empty");
        }
        int magic = head[0] & 0xff;
        if (magic == 0x1f && head.length > 1 && (head[1] & 0xff) == 0x8b) {
            return in;
        }
        if (magic != 0xE9) {
            throw new InvalidImageException(String
                    .format("The firmware image starts with 0x%02x: an ESP image starts with 0xE9 and a gzip image with"
                            + " 1f 8b (is this the right file?)", magic));
        }
        int segments = head.length > 1 ? head[1] & 0xff : 0;
        if (segments < 1 || segments > 16) {
            throw new InvalidImageException(
                    "The ESP image header declares " + segments + " segments (1 to 16 expected)");
        }
        return in;
    }

    /** Filesystem images have no magic bytes; they only must not be empty. */
    static InputStream filesystem(InputStream upload) throws IOException {
        BufferedInputStream in = new BufferedInputStream(upload, 8192);
        in.mark(1);
        int first = in.read();
        in.reset();
        if (first < 0) {
            throw new InvalidImageException("The filesystem image is empty");
        }
        return in;
    }
}
