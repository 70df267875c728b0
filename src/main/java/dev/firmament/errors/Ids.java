package dev.firmament.errors;

import java.util.UUID;

/** Ids as people and programs type them into URLs: a malformed one is a 400 that says which, never a 500. */
public final class Ids {

    private Ids() {
    }

    /** {@code value} as a UUID, or a 400 {@code invalid-id} naming {@code what} it should have been. */
    public static UUID uuid(String value, String what) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("invalid-id", what + " is not a valid id: " + value);
        }
    }
}
