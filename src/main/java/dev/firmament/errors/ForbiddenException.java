package dev.firmament.errors;

/** The caller is known and may see the tenant, but its role does not allow this (403). */
public class ForbiddenException extends FirmamentException {

    public ForbiddenException(String message) {
        this("forbidden", message);
    }

    public ForbiddenException(String code, String message) {
        super(code, message);
    }

    @Override
    public int status() {
        return 403;
    }
}
