package dev.firmament.errors;

/** The request is malformed or breaks a rule of the domain (400). */
public class InvalidInputException extends FirmamentException {

    public InvalidInputException(String code, String message) {
        super(code, message);
    }

    public InvalidInputException(String message) {
        this("invalid-input", message);
    }

    @Override
    public int status() {
        return 400;
    }
}
