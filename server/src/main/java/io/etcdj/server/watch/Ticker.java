package io.etcdj.server.watch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task periodically: how time reaches the watch service (progress notifications). Production uses
 * {@link #scheduled}; tests drive a manual one.
 */
public interface Ticker extends AutoCloseable {
    /** Runs {@code task} every {@code period}, first after one period, until {@link #close}. */
    void every(Duration period, Runnable task);

    /** Stops running tasks. */
    @Override
    void close();

    /** A ticker on one daemon thread named {@code threadName}. */
    static Ticker scheduled(String threadName) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(threadName).daemon().factory());
        return new Ticker() {
            @Override
            public void every(Duration period, Runnable task) {
                long nanos = Math.max(1, period.toNanos());
                executor.scheduleAtFixedRate(task, nanos, nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
