package dev.firmament.release;

import dev.firmament.errors.InvalidInputException;

/** An uploaded image is not what a device could flash; nothing was stored. */
public class InvalidImageException extends InvalidInputException {

    public InvalidImageException(String message) {
        super("invalid-image", message);
    }
}
