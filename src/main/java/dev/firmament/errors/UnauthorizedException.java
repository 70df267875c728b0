package dev.firmament.errors;

/** No valid credentials (401). */
public class UnauthorizedException extends FirmamentException {

    public UnauthorizedException(String message) {
        super("unauthorized", message);
    }

    @Override
    public int status() {
        return 401;
    }
}
