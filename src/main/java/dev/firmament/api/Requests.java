package dev.firmament.api;

import java.util.UUID;

import dev.firmament.errors.InvalidInputException;

/** Small checks on requests shared by the API resources and the console pages. */
public final class Requests {

    private Requests() {
    }

    static <T> T require(T body) {
        if (body == null) {
            throw new InvalidInputException("missing-body", "This request needs a JSON body");
        }
        return body;
    }

    public static UUID uuid(String value, String what) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("invalid-id", what + " is not a valid id: " + value);
        }
    }
}
