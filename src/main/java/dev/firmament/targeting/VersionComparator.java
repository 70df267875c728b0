package dev.firmament.targeting;

import java.util.ArrayList;
import java.util.List;

/**
 * PHP's {@code version_compare()}, ported from php-src {@code ext/standard/versioning.c}, so that rules written for the
 * NoFUSS PHP server keep meaning exactly what they meant there ({@code 1.0rc1 < 1.0}, {@code 1.0 < 1.0.0},
 * {@code 1.0 < 1.0pl1}, {@code 1.0RC1 == 1.0rc1}).
 */
public final class VersionComparator {

    /** Special forms in PHP's order; matching is by prefix, so {@code "alpha2"} ranks as {@code alpha}. */
    private static final String[] FORMS = { "dev", "alpha", "a", "beta", "b", "RC", "rc", "#", "pl", "p" };
    private static final int[] RANKS = { 0, 1, 1, 2, 2, 3, 3, 4, 5, 5 };
    private static final int NUMBER_RANK = 4; // a number compares like "#"

    private VersionComparator() {
    }

    /** Negative, zero or positive as {@code a} is lower than, equal to or higher than {@code b}. */
    public static int compare(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(!a.isEmpty(), !b.isEmpty());
        }
        List<String> left = parts(a);
        List<String> right = parts(b);
        int n = Math.min(left.size(), right.size());
        for (int i = 0; i < n; i++) {
            int result = compareParts(left.get(i), right.get(i));
            if (result != 0) {
                return result;
            }
        }
        if (left.size() > n) {
            return isNumeric(left.get(n)) ? 1 : compareParts(left.get(n), "#");
        }
        if (right.size() > n) {
            return isNumeric(right.get(n)) ? -1 : compareParts("#", right.get(n));
        }
        return 0;
    }

    /** PHP's operators as NoFUSS uses them: {@code <, <=, >, >=, ==, !=} (and their word forms). */
    public static boolean satisfies(String version, String operator, String bound) {
        int c = compare(version, bound);
        return switch (operator) {
        case "<", "lt" -> c < 0;
        case "<=", "le" -> c <= 0;
        case ">", "gt" -> c > 0;
        case ">=", "ge" -> c >= 0;
        case "==", "=", "eq" -> c == 0;
        case "!=", "<>", "ne" -> c != 0;
        default -> throw new IllegalArgumentException("Unknown version operator: " + operator);
        };
    }

    /** Canonicalises as PHP does (separators to dots, a dot at every digit/non-digit change) and splits. */
    static List<String> parts(String version) {
        StringBuilder canonical = new StringBuilder(version.length() * 2);
        if (version.charAt(0) == '#') {
            canonical.append(version);
        } else {
            canonical.append(version.charAt(0));
            for (int i = 1; i < version.length(); i++) {
                char previous = version.charAt(i - 1);
                char c = version.charAt(i);
                if (!Character.isLetterOrDigit(c) || c > 127) {
                    appendDot(canonical);
                } else if (isAsciiDigit(c) != isAsciiDigit(previous) && isAsciiAlnum(previous)) {
                    appendDot(canonical);
                    canonical.append(c);
                } else {
                    canonical.append(c);
                }
            }
        }
        List<String> parts = new ArrayList<>();
        for (String part : canonical.toString().split("\\.", -1)) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static void appendDot(StringBuilder canonical) {
        if (canonical.length() > 0 && canonical.charAt(canonical.length() - 1) != '.') {
            canonical.append('.');
        }
    }

    private static int compareParts(String a, String b) {
        boolean aNumber = isNumeric(a);
        boolean bNumber = isNumeric(b);
        if (aNumber && bNumber) {
            return Long.compare(toLong(a), toLong(b));
        }
        int aRank = aNumber ? NUMBER_RANK : rank(a);
        int bRank = bNumber ? NUMBER_RANK : rank(b);
        return Integer.signum(Integer.compare(aRank, bRank));
    }

    private static int rank(String part) {
        for (int i = 0; i < FORMS.length; i++) {
            if (part.startsWith(FORMS[i])) {
                return RANKS[i];
            }
        }
        return -1;
    }

    private static boolean isNumeric(String part) {
        if (part.isEmpty()) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            if (!isAsciiDigit(part.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code strtol} saturates; so does this, instead of failing on absurdly long numbers. */
    private static long toLong(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiAlnum(char c) {
        return isAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
