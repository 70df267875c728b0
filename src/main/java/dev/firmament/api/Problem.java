package dev.firmament.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem: {@code type} and {@code code} are stable (clients branch on {@code code}), {@code detail} is for
 * people.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code, String instance,
        String requestId, java.util.List<?> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(int status, String code, String detail, String instance, String requestId) {
        return of(status, code, detail, instance, requestId, null);
    }

    static Problem of(int status, String code, String detail, String instance, String requestId,
            java.util.List<?> errors) {
        return new Problem("urn:firmament:problem:" + code, title(status), status, detail, code, instance, requestId,
                errors == null || errors.isEmpty() ? null : errors);
    }

    private static String title(int status) {
        return switch (status) {
        case 400 -> "Invalid request";
        case 401 -> "Authentication required";
        case 403 -> "Forbidden";
        case 404 -> "Not found";
        case 405 -> "Method not allowed";
        case 406 -> "Not acceptable";
        case 409 -> "Conflict";
        case 413 -> "Payload too large";
        case 415 -> "Unsupported media type";
        default -> status >= 500 ? "Internal error" : "Request failed";
        };
    }
}
