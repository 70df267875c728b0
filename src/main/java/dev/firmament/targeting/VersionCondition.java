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

    boolean matches(String reportedVersion) {
        return VersionComparator.satisfies(reportedVersion, op, value);
    }
}
