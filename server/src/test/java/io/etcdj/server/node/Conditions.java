package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Waits for what real threads do in real time: a condition checked every 10 ms until a deadline, never a pause. */
final class Conditions {
    private Conditions() {}

    static void await(Duration timeout, String what, BooleanSupplier condition) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        try {
            poller.scheduleWithFixedDelay(
                    () -> {
                        try {
                            if (condition.getAsBoolean()) {
                                done.complete(null);
                            }
                        } catch (Exception e) {
                            done.completeExceptionally(e);
                        }
                    },
                    0,
                    10,
                    TimeUnit.MILLISECONDS);
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("not within " + timeout + ": " + what);
        } finally {
            poller.shutdownNow();
        }
    }

    /** Asserts that {@code f} fails within {@code timeout} with etcd's {@code expected} error. */
    static void assertRefused(CompletableFuture<?> f, EtcdError expected, Duration timeout) throws Exception {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected the request to fail with " + expected);
        } catch (ExecutionException e) {
            EtcdException cause = assertInstanceOf(EtcdException.class, e.getCause());
            assertEquals(expected, cause.error());
        }
    }
}
