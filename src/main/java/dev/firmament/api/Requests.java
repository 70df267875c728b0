package dev.firmament.api;

import dev.firmament.errors.InvalidInputException;

/** Small checks on the API's requests. */
final class Requests {

    private Requests() {
    }

    static <T> T require(T body) {
        if (body == null) {
            throw new InvalidInputException("missing-body", "This request needs a JSON body");
        }
        return body;
    }

    /**
     * A boolean query parameter, strictly: JAX-RS reads anything but "true" as false, so {@code replace=yes} would
     * quietly do the opposite of what was meant.
     */
    static boolean bool(String value, String name) {
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
            return Boolean.parseBoolean(value);
        }
        throw new InvalidInputException("invalid-parameter",
                "Query parameter '" + name + "' must be true or false, was: " + printable(value));
    }

    /** A value quoted in a message: control characters masked, at most 40 characters. */
    static String printable(String value) {
        String masked = String.valueOf(value).replaceAll("\\p{Cntrl}", "?");
        return masked.length() > 40 ? masked.substring(0, 40) + "…" : masked;
    }
}
