package dev.firmament.errors;

/** The thing does not exist in the current tenant, or the caller may not know it exists (404). */
public class NotFoundException extends FirmamentException {

    public NotFoundException(String what) {
        super("not-found", what + " does not exist");
    }

    @Override
    public int status() {
        return 404;
    }
}
