package io.etcdj.it;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition on a real server by checking it every {@link #POLL} until it holds or a deadline passes:
 * for what real processes do in real time (a lease expiring), never a fixed pause.
 */
final class Await {
    static final Duration POLL = Duration.ofMillis(50);

    private Await() {}

    /** Returns how long it took for {@code condition} to hold; fails after {@code timeout}. */
    static Duration until(Duration timeout, String what, BooleanSupplier condition) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Duration> done = new CompletableFuture<>();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        try {
            poller.scheduleWithFixedDelay(
                    () -> {
                        try {
                            if (condition.getAsBoolean()) {
                                done.complete(Duration.ofNanos(System.nanoTime() - start));
                            }
                        } catch (RuntimeException e) {
                            done.completeExceptionally(e);
                        }
                    },
                    0,
                    POLL.toMillis(),
                    TimeUnit.MILLISECONDS);
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("not within " + timeout + ": " + what);
        } finally {
            poller.shutdownNow();
        }
    }
}
