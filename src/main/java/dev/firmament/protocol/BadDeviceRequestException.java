package dev.firmament.protocol;

/** A device request whose identity headers are missing or malformed: answered 400, and no device is recorded. */
public class BadDeviceRequestException extends RuntimeException {

    public BadDeviceRequestException(String message) {
        super(message, null, false, false);
    }
}
