package io.etcdj.raft.sim;

import java.util.PriorityQueue;

/** Simulated time: events ordered by time, ties broken by scheduling order, so a run is a function of its seed. */
final class EventQueue {
    /** Something that happens at a simulated instant. */
    record Event(long timeMs, long seq, String label, Runnable action) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.timeMs != b.timeMs ? Long.compare(a.timeMs, b.timeMs) : Long.compare(a.seq, b.seq));
    private long seq;
    private long nowMs;

    long nowMs() {
        return nowMs;
    }

    void at(long timeMs, String label, Runnable action) {
        queue.add(new Event(Math.max(timeMs, nowMs), seq++, label, action));
    }

    void after(long delayMs, String label, Runnable action) {
        at(nowMs + delayMs, label, action);
    }

    /** Removes the next event and advances the clock to it; null if none. */
    Event next() {
        Event e = queue.poll();
        if (e != null) {
            nowMs = e.timeMs;
        }
        return e;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
