package dev.firmament.release;

/** An uploaded image is not what a device could flash; nothing was stored. */
public class InvalidImageException extends IllegalArgumentException {

    public InvalidImageException(String message) {
        super(message);
    }
}
