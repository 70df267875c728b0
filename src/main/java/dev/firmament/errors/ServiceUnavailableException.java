package dev.firmament.errors;

/** Something the request needs is away for now (503, with {@code Retry-After}): the same request works later. */
public class ServiceUnavailableException extends FirmamentException {

    private final long retryAfterSeconds;

    public ServiceUnavailableException(String code, String message, long retryAfterSeconds) {
        super(code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Whole seconds to wait, for the {@code Retry-After} header. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public int status() {
        return 503;
    }
}
