package dev.firmament.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waits for something another process or thread does (a packaged app getting ready, a journal being written), polling
 * until it holds or the timeout passes. For what the test itself controls, move a {@link MovableClock} instead.
 */
public final class Eventually {

    private static final long POLL_MILLIS = 100;

    private Eventually() {
    }

    /** The first value of {@code probe} that {@code done} accepts; fails with the last value seen after the timeout. */
    public static <T> T await(String what, Duration timeout, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last;
        Exception lastError = null;
        do {
            last = null;
            try {
                last = probe.call();
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e; // not there yet (not listening, not committed)
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() < deadline);
        AssertionError failure = new AssertionError(
                what + " did not happen within " + timeout + "; last seen: " + last);
        if (lastError != null) {
            failure.initCause(lastError);
        }
        throw failure;
    }

    /** Until {@code assertion} passes; fails with its last failure after the timeout. */
    public static void assertThat(Duration timeout, Assertion assertion) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.check();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    @FunctionalInterface
    public interface Assertion {
        void check() throws Exception;
    }
}
