package dev.firmament.protocol;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Image streams of rollouts in progress on this replica, for a wave's cap on concurrent downloads. Streams are counted
 * from the first byte to the end of the response or the dropped connection. The cap is checked when a device checks in,
 * so devices arriving in the same instant can pass it together: it bounds load, it is not a lock.
 */
@ApplicationScoped
class RolloutDownloadSlots {

    private final ConcurrentHashMap<Long, AtomicInteger> streams = new ConcurrentHashMap<>();

    boolean full(long rolloutId, Integer cap) {
        if (cap == null) {
            return false;
        }
        AtomicInteger count = streams.get(rolloutId);
        return count != null && count.get() >= cap;
    }

    void begin(long rolloutId) {
        streams.computeIfAbsent(rolloutId, id -> new AtomicInteger()).incrementAndGet();
    }

    void end(long rolloutId) {
        AtomicInteger count = streams.get(rolloutId);
        if (count != null) {
            count.decrementAndGet();
        }
    }
}
