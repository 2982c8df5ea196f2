package io.etcdj.server.rpc;

import io.etcdj.server.common.EtcdError;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed pool of threads for client requests that must not run on an event loop (ranges, read-only txns, hashes,
 * bcrypt), with a bounded queue: work that finds the queue full is refused at once with etcd's answer for an
 * overloaded server, "etcdserver: too many requests" (RESOURCE_EXHAUSTED), which clients retry with backoff. Nothing
 * waits for room, so no event loop ever blocks here, and what clients can pile up is bounded.
 *
 * <p>Refusal is by throwing {@link io.etcdj.server.common.EtcdException} from {@link #execute}: a
 * {@link CompletableFuture} stage run on this pool ({@code thenApplyAsync(f, pool)}) then completes exceptionally
 * with it; {@link #supply} does the same for the first stage of a chain. A pool that was closed refuses with
 * "etcdserver: server stopped".
 */
public final class RequestPool implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestPool.class);
    /** After the first refusal, one log line per this many. */
    private static final long LOG_EVERY_REFUSALS = 10_000;

    private final String name;
    private final int maxQueued;
    private final ThreadPoolExecutor pool;
    /** Requests refused because the queue was full, since start. */
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param name      the threads' name prefix and the pool's name in logs
     * @param threads   how many threads run requests
     * @param maxQueued how many requests may wait for a thread; beyond that they are refused
     */
    public RequestPool(String name, int threads, int maxQueued) {
        if (threads < 1 || maxQueued < 1) {
            throw new IllegalArgumentException(name + ": need at least one thread and one queue slot");
        }
        this.name = name;
        this.maxQueued = maxQueued;
        this.pool = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxQueued),
                Thread.ofPlatform().name(name + "-", 0).daemon().factory(),
                (task, executor) -> {
                    throw refusal(executor);
                });
    }

    private RuntimeException refusal(ThreadPoolExecutor executor) {
        if (executor.isShutdown()) {
            return EtcdError.STOPPED.exception();
        }
        long n = refused.incrementAndGet();
        if (n % LOG_EVERY_REFUSALS == 1) {
            LOG.warn(
                    "{}: {} requests already wait for a thread; refusing more with 'too many requests' ({} refused so"
                            + " far). If this persists, this member gets more of this work than it can serve: spread clients"
                            + " over the members, or lower their concurrency",
                    name,
                    maxQueued,
                    n);
        }
        return EtcdError.TOO_MANY_REQUESTS.exception();
    }

    /** Runs {@code task} on a pool thread, or throws "too many requests" at once when the queue is full. */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /**
     * {@link CompletableFuture#supplyAsync} on {@code executor}, except that a refusal fails the returned future
     * instead of being thrown to the caller.
     */
    public static <T> CompletableFuture<T> supply(Supplier<T> task, Executor executor) {
        try {
            return CompletableFuture.supplyAsync(task, executor);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Requests waiting for a thread now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /** Requests refused because the queue was full, since start. */
    public long refused() {
        return refused.get();
    }

    /** Stops the threads; queued requests are dropped and later ones refused with "server stopped". */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
