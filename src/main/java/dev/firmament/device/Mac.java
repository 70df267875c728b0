package dev.firmament.device;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.firmament.errors.InvalidInputException;

/** MAC addresses in the one form devices send and Firmament stores: {@code AA:BB:CC:DD:EE:FF}. */
public final class Mac {

    private static final Pattern SEPARATED = Pattern
            .compile("[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}");
    private static final Pattern BARE = Pattern.compile("[0-9A-Fa-f]{12}");

    private Mac() {
    }

    /**
     * The canonical form of {@code text}, accepting upper or lower case with {@code :} or {@code -} separators, or
     * twelve bare hex digits; empty for anything else, and for a multicast address (the broadcast
     * {@code FF:FF:FF:FF:FF:FF} among them), which no device has: a pin or group member with one would be a typo.
     */
    public static Optional<String> parse(String text) {
        return canonical(text).filter(mac -> !multicast(mac));
    }

    /** Why {@code text} is refused as a device's MAC, in words; null when it is one. */
    public static String whyNot(String text) {
        Optional<String> mac = canonical(text);
        return mac.isEmpty() ? "not a MAC address"
                : multicast(mac.get()) ? "a multicast or broadcast address, never a device's" : null;
    }

    /** The I/G bit, the lowest of the first octet: set for group (multicast and broadcast) addresses. */
    private static boolean multicast(String canonical) {
        return (Integer.parseInt(canonical.substring(0, 2), 16) & 1) != 0;
    }

    private static Optional<String> canonical(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.trim();
        String hex;
        if (SEPARATED.matcher(trimmed).matches()) {
            hex = trimmed.replace(":", "").replace("-", "");
        } else if (BARE.matcher(trimmed).matches()) {
            hex = trimmed;
        } else {
            return Optional.empty();
        }
        hex = hex.toUpperCase(Locale.ROOT);
        StringBuilder canonical = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                canonical.append(':');
            }
            canonical.append(hex, i, i + 2);
        }
        return Optional.of(canonical.toString());
    }

    /** Like {@link #parse} but for input that must be a MAC. */
    public static String require(String text) {
        return parse(text).orElseThrow(() -> new InvalidInputException("invalid-mac",
                text + " is " + whyNot(text) + " (a MAC is AA:BB:CC:DD:EE:FF)"));
    }
}
