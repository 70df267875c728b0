package dev.firmament.errors;

/** Something the request needs is away for now (503, with {@code Retry-After}): the same request works later. */
public class ServiceUnavailableException extends RetryLaterException {

    public ServiceUnavailableException(String code, String message, long retryAfterSeconds) {
        super(code, message, retryAfterSeconds);
    }

    @Override
    public int status() {
        return 503;
    }
}
