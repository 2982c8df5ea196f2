package io.etcdj.server.lease;

import io.etcdj.server.common.MonotonicClock;

/** A clock that moves only when the test says so. Starts at an arbitrary origin, as System.nanoTime does. */
final class ManualClock implements MonotonicClock {
    private long now = -7_000_000_000L;

    @Override
    public synchronized long nanos() {
        return now;
    }

    synchronized void advanceMs(long ms) {
        now += ms * 1_000_000L;
    }
}
