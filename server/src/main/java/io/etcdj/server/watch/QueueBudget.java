package io.etcdj.server.watch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The event bytes all streams together may have queued ({@link WatchLimits#totalQueueBytes()}). Thread-safe.
 * Catch-up waits while the budget is more than half used; {@code belowHalf} runs when use drops below half again.
 */
final class QueueBudget {
    private final long maxBytes;
    private final Runnable belowHalf;
    private final AtomicLong usedBytes = new AtomicLong();

    QueueBudget(long maxBytes, Runnable belowHalf) {
        this.maxBytes = maxBytes;
        this.belowHalf = belowHalf;
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
        long now = usedBytes.addAndGet(-bytes);
        if (now < maxBytes / 2 && now + bytes >= maxBytes / 2) {
            belowHalf.run();
        }
    }

    boolean belowHalf() {
        return usedBytes.get() < maxBytes / 2;
    }

    long usedBytes() {
        return usedBytes.get();
    }
}
