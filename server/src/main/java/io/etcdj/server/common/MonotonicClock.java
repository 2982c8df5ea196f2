package io.etcdj.server.common;

/**
 * Elapsed time for logic that must be testable without waiting: deadlines are computed from it, never from the
 * wall clock. Values are nanoseconds from an arbitrary origin; only differences mean anything, and they never go
 * backwards. Production uses {@link #SYSTEM}; tests inject a clock they move by hand.
 */
@FunctionalInterface
public interface MonotonicClock {
    /** {@link System#nanoTime()}. */
    MonotonicClock SYSTEM = System::nanoTime;

    /** Nanoseconds since this clock's origin. */
    long nanos();
}
