package dev.firmament.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's clock in tests: real time plus an offset that tests move forward, instead of waiting for expiries
 * and windows. Replaces the system clock ({@code dev.firmament.time.Clocks}, a default bean) in every
 * {@code @QuarkusTest}; it only ever moves forward, so tests that do not move it still see time pass normally.
 */
@ApplicationScoped
public class MovableClock implements InstantSource {

    private volatile Duration offset = Duration.ZERO;

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    /** Moves the clock forward by {@code duration}. */
    public void advance(Duration duration) {
        offset = offset.plus(duration);
    }
}
