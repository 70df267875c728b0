package dev.firmament.errors;

/** The caller must wait before trying again (429, with {@code Retry-After}). */
public class TooManyRequestsException extends RetryLaterException {

    public TooManyRequestsException(String code, String message, long retryAfterSeconds) {
        super(code, message, retryAfterSeconds);
    }

    @Override
    public int status() {
        return 429;
    }
}
