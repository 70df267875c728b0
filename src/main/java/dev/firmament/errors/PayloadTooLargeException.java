package dev.firmament.errors;

/** An upload exceeds the configured limit (413). */
public class PayloadTooLargeException extends FirmamentException {

    public PayloadTooLargeException(String message) {
        super("payload-too-large", message);
    }

    @Override
    public int status() {
        return 413;
    }
}
