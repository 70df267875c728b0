package dev.firmament.console;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.core.HttpHeaders;

import dev.firmament.errors.ForbiddenException;
import dev.firmament.errors.InvalidInputException;

/** Reading what HTML forms send (every field a string, empty when left blank) and writing query strings. */
final class ConsoleForms {

    private ConsoleForms() {
    }

    /**
     * A form posted from another site without a session (login CSRF: signing a victim into the attacker's account) is
     * refused; browsers send Origin on every POST.
     */
    static void sameOrigin(HttpHeaders headers) {
        String origin = headers.getHeaderString("Origin");
        String host = headers.getHeaderString("Host");
        if (origin == null || "null".equals(origin) || host == null) {
            return;
        }
        String originHost;
        try {
            originHost = URI.create(origin).getHost();
        } catch (IllegalArgumentException malformed) {
            originHost = null;
        }
        String requestHost = host.replaceFirst(":\\d+$", "");
        if (originHost == null || !originHost.equalsIgnoreCase(requestHost)) {
            throw new ForbiddenException("Sign in from this site's own sign-in page");
        }
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A numeric id from a select, or null when none was chosen. */
    static Long id(String value, String what) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("invalid-" + what, "Not a " + what + ": " + value);
        }
    }

    static long requiredRelease(String value) {
        Long id = id(value, "release");
        if (id == null) {
            throw new InvalidInputException("missing-release", "Choose a release");
        }
        return id;
    }

    /** The start of a day ({@code 2026-11-21}, from a date input) in UTC, or null when blank. */
    static Instant day(String value, String what) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return LocalDate.parse(value.trim()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("invalid-date", what + " is a date like 2026-11-21, was: " + value);
        }
    }

    /** {@code ?a=1&b=x%20y} of the non-blank values, in name order; empty when all are blank. */
    static String queryString(Map<String, ?> values) {
        StringBuilder query = new StringBuilder();
        new TreeMap<>(values).forEach((name, value) -> {
            if (value != null && !value.toString().isBlank()) {
                query.append(query.isEmpty() ? '?' : '&').append(name).append('=')
                        .append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }

    /** "45 seconds", "3 minutes": how long a throttled person waits, in words. */
    static String waitInWords(long seconds) {
        return seconds < 90 ? seconds + " seconds" : (seconds + 59) / 60 + " minutes";
    }
}
