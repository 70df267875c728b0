package dev.firmament.errors;

/** The caller must wait before trying again (429, with {@code Retry-After}). */
public class TooManyRequestsException extends FirmamentException {

    private final long retryAfterSeconds;

    public TooManyRequestsException(String code, String message, long retryAfterSeconds) {
        super(code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Whole seconds to wait, for the {@code Retry-After} header. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public int status() {
        return 429;
    }
}
