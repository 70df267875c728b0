package dev.firmament.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;

/**
 * A native SQL WHERE clause built from optional filters. Each {@code ?} of a condition stands for that condition's
 * value and is numbered as the conditions are added; a condition whose value is null is left out, so "no filter" needs
 * no branch at the call site.
 */
public final class SqlFilter {

    private final StringBuilder where = new StringBuilder(" where ");
    private final List<Object> parameters = new ArrayList<>();

    /** Starts with a condition that always applies, such as the tenant. */
    public SqlFilter(String condition, Object value) {
        parameters.add(value);
        where.append(numbered(condition));
    }

    /** Adds {@code and condition} unless {@code value} is null. */
    public SqlFilter and(String condition, Object value) {
        if (value != null) {
            parameters.add(value instanceof Instant instant ? Timestamp.from(instant) : value);
            where.append(" and ").append(numbered(condition));
        }
        return this;
    }

    /**
     * Adds {@code and condition}, whose {@code ?}s stand for {@code values} in order, such as a row comparison
     * {@code (a, b) < (?, ?)} of keyset paging.
     */
    public SqlFilter andEach(String condition, Object... values) {
        StringBuilder numbered = new StringBuilder();
        int next = 0;
        for (char c : condition.toCharArray()) {
            if (c == '?') {
                Object value = values[next++];
                parameters.add(value instanceof Instant instant ? Timestamp.from(instant) : value);
                numbered.append('?').append(parameters.size());
            } else {
                numbered.append(c);
            }
        }
        if (next != values.length) {
            throw new IllegalArgumentException(values.length + " values for " + next + " placeholders");
        }
        where.append(" and ").append(numbered);
        return this;
    }

    /** Adds {@code and condition} without a value. */
    public SqlFilter and(String condition) {
        where.append(" and ").append(condition);
        return this;
    }

    /** A native query of {@code select + where + rest} with the values bound. */
    public Query query(EntityManager entityManager, String select, String rest) {
        Query query = entityManager.createNativeQuery(select + where + rest);
        for (int i = 0; i < parameters.size(); i++) {
            query.setParameter(i + 1, parameters.get(i));
        }
        return query;
    }

    /**
     * A {@code like} pattern matching {@code text} anywhere, its own {@code %}, {@code _} and backslashes taken
     * literally (use with {@code escape '\\'}, PostgreSQL's default); null stays null, so the filter is left out.
     */
    public static String containing(String text) {
        return text == null ? null : "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** A {@code timestamptz} column as native queries return it (the JDBC type depends on the driver's mapping). */
    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Instant instant ? instant
                : value instanceof OffsetDateTime offset ? offset.toInstant() : ((Timestamp) value).toInstant();
    }

    /** A nullable integer column of a native query as a {@code Long}. */
    public static Long longOrNull(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private String numbered(String condition) {
        return condition.replace("?", "?" + parameters.size());
    }
}
