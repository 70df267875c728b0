package dev.firmament.errors;

/**
 * Text people type: names on one line, and free text (notes) that may span lines. Neither may carry a NUL or another
 * control character: PostgreSQL refuses NUL, and the rest would hide in lists, CSV exports and logs.
 */
public final class PlainText {

    private PlainText() {
    }

    /** A name of 1 to {@code max} characters on one line; answers it unchanged. */
    public static String name(String value, String what, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw new InvalidInputException("invalid-name", "A " + what + " name is 1 to " + max + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("control-character",
                    "A " + what + " name may not contain control characters (NUL, tab, line breaks)");
        }
        return value;
    }

    /** Free text, which may hold tabs and line breaks but no other control character; null stays null. */
    public static String text(String value, String field) {
        int bad = value == null ? -1 : firstControlCharacter(value);
        if (bad >= 0) {
            throw new InvalidInputException("control-character",
                    String.format("Field '%s' contains the control character U+%04X", field, bad));
        }
        return value;
    }

    /** The first control character free text may not hold (any but tab, line feed, carriage return), or -1. */
    public static int firstControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return c;
            }
        }
        return -1;
    }
}
