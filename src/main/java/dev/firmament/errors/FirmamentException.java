package dev.firmament.errors;

/**
 * An expected failure with a stable code: the API turns it into {@code application/problem+json} with that code, the
 * console into a readable message. Messages are written for the person who caused them and never contain internals.
 */
public abstract class FirmamentException extends RuntimeException {

    private final String code;

    protected FirmamentException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** Stable, kebab-case: clients may branch on it. */
    public String code() {
        return code;
    }

    /** The HTTP status this failure stands for. */
    public abstract int status();

    /** Details per item (line, entry) for failures about many things at once; empty otherwise. */
    public java.util.List<?> errors() {
        return java.util.List.of();
    }
}
