package dev.firmament.release;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks the first bytes of an upload without reading it into memory: devices refuse a firmware image that is not an
 * ESP application image of a chip esptool knows ({@code 0xE9}) or a gzip stream ({@code 1f 8b}, ESP8266 core 2.7+).
 */
final class ImageValidation {

    private ImageValidation() {
    }

    /** A firmware upload whose header was read: the stream still yields every byte. */
    record CheckedFirmware(InputStream content, ImageHeader header) {
    }

    /** Reads the firmware header ({@link ImageHeader#read}) without consuming it. */
    static CheckedFirmware firmware(InputStream upload) throws IOException {
        BufferedInputStream in = new BufferedInputStream(upload, 8192);
        in.mark(ImageHeader.LENGTH);
        byte[] head = in.readNBytes(ImageHeader.LENGTH);
        in.reset();
        return new CheckedFirmware(in, ImageHeader.read(head));
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
