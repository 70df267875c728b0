package dev.firmament.db;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.firmament.errors.InvalidInputException;

/**
 * Keyset paging, the one convention of every list: a page ends at a row, and the next page starts strictly after that
 * row's sort keys. Unlike an offset, rows inserted meanwhile never shift a later page, so a walk returns every row that
 * existed when it started exactly once. The cursor is the last row's sort keys, opaque to clients (base64url of a JSON
 * array), and names its listing's sort so it cannot be replayed against another one.
 */
public final class PageCursor {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private PageCursor() {
    }

    /** The cursor after a row whose sort keys are {@code keys}, for a listing sorted by {@code sort}. */
    public static String encode(String sort, Object... keys) {
        List<String> values = new ArrayList<>();
        values.add(sort);
        for (Object key : keys) {
            values.add(key == null ? null : key.toString());
        }
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(values));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sort keys in {@code after}, a cursor of a listing sorted by {@code sort} with {@code keys} keys; null for the
     * first page. A cursor that is not one, or belongs to another sort, is refused.
     */
    public static List<String> decode(String after, String sort, int keys) {
        if (after == null || after.isEmpty()) {
            return null;
        }
        List<String> values;
        try {
            values = JSON.readValue(Base64.getUrlDecoder().decode(after.getBytes(StandardCharsets.US_ASCII)),
                    new TypeReference<List<String>>() {
                    });
        } catch (IllegalArgumentException | java.io.IOException e) {
            values = null;
        }
        if (values == null || values.size() != keys + 1 || !sort.equals(values.get(0))) {
            throw new InvalidInputException("invalid-cursor",
                    "after is the cursor from the 'next' link of this list with the same sort; start again without it");
        }
        return values.subList(1, values.size());
    }

    /** The key in cursor {@code after} of a list sorted by one number; null for the first page. */
    public static Long decodeNumber(String after, String sort) {
        List<String> keys = decode(after, sort, 1);
        if (keys == null) {
            return null;
        }
        try {
            return Long.parseLong(keys.get(0));
        } catch (NumberFormatException e) {
            throw notACursor();
        }
    }

    /** The answer to a cursor whose keys are not what its list's keys are (made by hand, not given out). */
    public static InvalidInputException notACursor() {
        return new InvalidInputException("invalid-cursor", "after is not a cursor of this list");
    }

    /** The page size asked for: {@value #DEFAULT_LIMIT} when absent, else 1 to {@value #MAX_LIMIT}. */
    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("invalid-limit", "limit is 1 to " + MAX_LIMIT + ", not " + limit);
        }
        return limit;
    }

    /**
     * The page of {@code rows}, read with {@code limit + 1} so that a next page is known to exist without a second
     * query; {@code cursorOf} gives the cursor after a row.
     */
    public static <T> Slice<T> slice(List<T> rows, int limit, java.util.function.Function<T, String> cursorOf) {
        if (rows.size() <= limit) {
            return new Slice<>(rows, null);
        }
        List<T> page = rows.subList(0, limit);
        return new Slice<>(List.copyOf(page), cursorOf.apply(page.get(limit - 1)));
    }

    /**
     * A page of a list held in memory (configuration lists, small by nature): sorted by the unique {@code key}, the
     * rows after cursor {@code after}, at most {@code limit}. Keys compare as strings: see {@link #sortable(long)}.
     */
    public static <T> Slice<T> of(List<T> all, String sort, java.util.function.Function<T, String> key,
            boolean descending, String after, int limit) {
        List<String> keys = decode(after, sort, 1);
        java.util.Comparator<T> order = java.util.Comparator.comparing(key);
        List<T> rows = all.stream().sorted(descending ? order.reversed() : order).filter(row -> {
            if (keys == null) {
                return true;
            }
            int compared = key.apply(row).compareTo(keys.get(0));
            return descending ? compared < 0 : compared > 0;
        }).limit(limit + 1L).toList();
        return slice(rows, limit, last -> encode(sort, key.apply(last)));
    }

    /** A number as a key that sorts as the number does (for the non-negative numbers ids and positions are). */
    public static String sortable(long number) {
        return String.format("%019d", number);
    }

    /** An instant and a tie-breaker as a key that sorts by time. */
    public static String sortable(java.time.Instant at, String tieBreaker) {
        return sortable(at.getEpochSecond()) + String.format("%09d", at.getNano()) + tieBreaker;
    }

    /** One page of a listing, and the cursor of the next one (null on the last page). */
    public record Slice<T>(List<T> items, String next) {
        /** The same page with each item as {@code view} shows it. */
        public <V> Slice<V> map(java.util.function.Function<T, V> view) {
            return new Slice<>(items.stream().map(view).toList(), next);
        }
    }
}
