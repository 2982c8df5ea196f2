package io.etcdj.server.watch;

import java.util.concurrent.atomic.AtomicLong;

/** The event bytes all streams together may have queued ({@link WatchLimits#totalQueueBytes()}). Thread-safe. */
final class QueueBudget {
    private final long maxBytes;
    private final AtomicLong usedBytes = new AtomicLong();

    QueueBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Takes {@code bytes} if they fit, or regardless when {@code force} (a stream's only response). */
    boolean tryTake(long bytes, boolean force) {
        while (true) {
            long used = usedBytes.get();
            if (!force && used + bytes > maxBytes) {
                return false;
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    void give(long bytes) {
        usedBytes.addAndGet(-bytes);
    }

    boolean belowHalf() {
        return usedBytes.get() < maxBytes / 2;
    }

    long usedBytes() {
        return usedBytes.get();
    }
}
