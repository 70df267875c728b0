package dev.firmament.targeting;

import java.util.Set;

import dev.firmament.errors.InvalidInputException;

/** One version filter of a rule: the device's reported version must satisfy {@code version <op> value}. */
public record VersionCondition(String op, String value) {

    static final Set<String> OPERATORS = Set.of("<", "<=", ">", ">=", "==", "!=");

    public VersionCondition {
        if (op == null || !OPERATORS.contains(op)) {
            throw new InvalidInputException("invalid-version-condition",
                    "A version operator is one of " + OPERATORS + ", was: " + op);
        }
        if (value == null || value.isBlank() || value.length() > 64) {
            throw new InvalidInputException("invalid-version-condition", "A version bound is 1 to 64 characters");
        }
    }

    /** {@code min} and {@code max} (inclusive shorthands, either may be null) followed by {@code more}, as one list. */
    public static java.util.List<VersionCondition> all(String min, String max, java.util.List<VersionCondition> more) {
        java.util.List<VersionCondition> conditions = new java.util.ArrayList<>();
        if (min != null) {
            conditions.add(new VersionCondition(">=", min));
        }
        if (max != null) {
            conditions.add(new VersionCondition("<=", max));
        }
        if (more != null) {
            conditions.addAll(more);
        }
        return conditions;
    }

    /**
     * Why no version satisfies every one of {@code conditions} (an inverted range such as 2.0 to 1.0), or null when
     * some version does. Versions compare like PHP's {@code version_compare}.
     */
    public static String contradiction(java.util.List<VersionCondition> conditions) {
        VersionCondition lower = null;
        VersionCondition upper = null;
        for (VersionCondition c : conditions) {
            boolean bothSides = c.op.equals("==");
            if (bothSides || c.op.startsWith(">")) {
                VersionCondition bound = bothSides ? new VersionCondition(">=", c.value) : c;
                if (lower == null || tighter(bound, lower, 1)) {
                    lower = bound;
                }
            }
            if (bothSides || c.op.startsWith("<")) {
                VersionCondition bound = bothSides ? new VersionCondition("<=", c.value) : c;
                if (upper == null || tighter(bound, upper, -1)) {
                    upper = bound;
                }
            }
        }
        if (lower == null || upper == null) {
            return null;
        }
        int order = VersionComparator.compare(lower.value, upper.value);
        if (order > 0 || (order == 0 && (lower.op.equals(">") || upper.op.equals("<")))) {
            return "no version is " + lower.op + " " + lower.value + " and " + upper.op + " " + upper.value;
        }
        if (order == 0) {
            for (VersionCondition c : conditions) {
                if (c.op.equals("!=") && VersionComparator.compare(c.value, lower.value) == 0) {
                    return "the only version allowed, " + lower.value + ", is also excluded (!= " + c.value + ")";
                }
            }
        }
        return null;
    }

    /**
     * Whether {@code a} narrows more than {@code b}: higher for a lower bound (direction 1), lower for an upper one.
     */
    private static boolean tighter(VersionCondition a, VersionCondition b, int direction) {
        int order = VersionComparator.compare(a.value, b.value) * direction;
        return order > 0 || (order == 0 && a.op.length() == 1);
    }

    boolean matches(String reportedVersion) {
        return VersionComparator.satisfies(reportedVersion, op, value);
    }
}
