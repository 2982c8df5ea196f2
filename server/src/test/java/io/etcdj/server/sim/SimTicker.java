package io.etcdj.server.sim;

import io.etcdj.server.watch.Ticker;
import java.time.Duration;

/**
 * A {@link Ticker} on simulated time: each task runs every period from a seeded phase on, until closed (a clean
 * stop, or the member's crash: a dead process ticks no more).
 */
final class SimTicker implements Ticker {
    private final SimEvents events;
    private final long phaseMs;
    /** Simulation thread only. */
    private boolean closed;

    SimTicker(SimEvents events, long phaseMs) {
        this.events = events;
        this.phaseMs = phaseMs;
    }

    @Override
    public void every(Duration period, Runnable task) {
        long periodMs = Math.max(1, period.toMillis());
        events.after(periodMs + phaseMs, null, () -> fire(periodMs, task));
    }

    private void fire(long periodMs, Runnable task) {
        if (closed) {
            return;
        }
        task.run();
        events.after(periodMs, null, () -> fire(periodMs, task));
    }

    @Override
    public void close() {
        closed = true;
    }
}
