package dev.firmament.errors;

/** The change contradicts what is stored: a duplicate, or something still in use (409). */
public class ConflictException extends FirmamentException {

    public ConflictException(String code, String message) {
        super(code, message);
    }

    @Override
    public int status() {
        return 409;
    }
}
