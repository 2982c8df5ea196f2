package io.etcdj.server.sim;

import java.io.PrintStream;
import java.util.PriorityQueue;

/**
 * Simulated time and what happens in it: events ordered by time, ties broken by scheduling order, so a run is a
 * function of its seed. The only clock of a simulated member (its ticker, its lessor's clock) reads {@link #nowMs}.
 * Single-threaded: the simulation's thread only.
 */
final class SimEvents {
    /** Something that happens at a simulated instant; a null label keeps it out of the trace. */
    record Event(long timeMs, long seq, String label, Runnable action) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.timeMs != b.timeMs ? Long.compare(a.timeMs, b.timeMs) : Long.compare(a.seq, b.seq));
    /** Where the trace goes; null: not traced. */
    private final PrintStream trace;

    private long seq;
    private long nowMs;
    private long executed;
    /** The first check that failed inside a callback (where a throw would vanish into a future); null: none. */
    private Throwable violation;

    SimEvents(PrintStream trace) {
        this.trace = trace;
    }

    long nowMs() {
        return nowMs;
    }

    /** Nanoseconds of simulated time: the members' monotonic clock. */
    long nanos() {
        return nowMs * 1_000_000L;
    }

    void at(long timeMs, String label, Runnable action) {
        queue.add(new Event(Math.max(timeMs, nowMs), seq++, label, action));
    }

    void after(long delayMs, String label, Runnable action) {
        at(nowMs + delayMs, label, action);
    }

    /** Runs the next event (advancing the clock to it) unless it lies past {@code untilMs}; false if none ran. */
    boolean runNext(long untilMs) {
        Event e = queue.peek();
        if (e == null || e.timeMs > untilMs) {
            nowMs = Math.max(nowMs, untilMs);
            return false;
        }
        queue.poll();
        nowMs = e.timeMs;
        executed++;
        if (e.label != null) {
            trace(e.label);
        }
        e.action.run();
        checkNoViolation();
        return true;
    }

    /**
     * Runs {@code body}, a callback of a future the members complete: a failed check in it is kept (a throw would
     * only fail the dependent future, which nobody reads) and fails the run after the current step.
     */
    void guard(Runnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            if (violation == null) {
                violation = t;
            }
        }
    }

    /** Throws the first failure a guarded callback met. */
    void checkNoViolation() {
        if (violation != null) {
            throw new AssertionError(violation.getMessage(), violation);
        }
    }

    long executed() {
        return executed;
    }

    void trace(String what) {
        if (trace != null) {
            trace.println(nowMs + " " + what);
        }
    }

    boolean tracing() {
        return trace != null;
    }
}
