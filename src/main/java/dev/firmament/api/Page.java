package dev.firmament.api;

import java.util.List;

import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.firmament.db.PageCursor;

/**
 * What every list of the API answers: a page of items and the link to the next page, null on the last one. The link is
 * this request's path and query with {@code after} set to the cursor, so following it keeps every filter; it is
 * relative, which stays right behind any proxy. {@code total} is there where counting is cheap.
 */
public record Page<T>(List<T> items, String next, @JsonInclude(JsonInclude.Include.NON_NULL) Long total) {

    static <T> Page<T> of(PageCursor.Slice<T> slice, UriInfo uri) {
        return of(slice, uri, null);
    }

    static <T> Page<T> of(PageCursor.Slice<T> slice, UriInfo uri, Long total) {
        if (slice.next() == null) {
            return new Page<>(slice.items(), null, total);
        }
        java.net.URI next = uri.getRequestUriBuilder().replaceQueryParam("after", slice.next()).build();
        return new Page<>(slice.items(), next.getRawPath() + "?" + next.getRawQuery(), total);
    }
}
