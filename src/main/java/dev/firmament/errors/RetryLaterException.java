package dev.firmament.errors;

/** A refusal the caller may try again after {@link #retryAfterSeconds()}: answered with {@code Retry-After}. */
public abstract class RetryLaterException extends FirmamentException {

    private final long retryAfterSeconds;

    protected RetryLaterException(String code, String message, long retryAfterSeconds) {
        super(code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Whole seconds to wait, for the {@code Retry-After} header. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
