package io.etcdj.server.http.gateway;

import java.util.ArrayDeque;

/**
 * At most {@code limit} gateway calls in progress at once; the rest wait, in arrival order, for one to end.
 * etcd's gateway reaches the gRPC server over one client connection, which --max-concurrent-streams caps like any
 * other: with the cap reached (say, by open watches) a further JSON request waits. This keeps that behaviour.
 * Thread-safe; guarded by this.
 */
final class CallSlots {
    private final long limit;
    private long inUse;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

    /** @param limit calls at once; 0 or less: no limit */
    CallSlots(long limit) {
        this.limit = limit <= 0 ? Long.MAX_VALUE : limit;
    }

    /** Runs {@code start} now if a slot is free, else when one frees; whoever runs it must {@link #release}. */
    void acquire(Runnable start) {
        synchronized (this) {
            if (inUse >= limit) {
                waiting.add(start);
                return;
            }
            inUse++;
        }
        start.run();
    }

    /** Forgets a waiter that never started (its client went away). */
    synchronized boolean cancel(Runnable start) {
        return waiting.remove(start);
    }

    void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
                return;
            }
        }
        next.run(); // the slot passes to the next waiter
    }
}
