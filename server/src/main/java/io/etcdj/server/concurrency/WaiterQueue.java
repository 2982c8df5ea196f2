package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.concurrency.RecipeError.RecipeException;
import io.etcdj.server.watch.WatchHub;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue behind a lock and an election (etcd's recipe): a waiter joins with the key {@code prefix/<lease hex>},
 * made by a Txn only if it does not exist yet (so a lease joining twice finds its own key again and is not stuck
 * behind itself), under the waiter's lease (so the key goes when the lease ends). Waiters take turns in the order of
 * their keys' create revisions; a waiter's turn comes when every older key is gone ({@link PredecessorWait}).
 *
 * <p>A waiter that fails or is cancelled after its key was made removes the key again, but only while it is the key
 * it made (same create revision), so it never removes a newer waiter's key of the same lease.
 */
final class WaiterQueue {
    /** etcd's default session TTL: a request naming no lease waits under a new lease of this many seconds. */
    static final long SESSION_TTL_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(WaiterQueue.class);

    private final LocalKv kv;
    private final WatchHub hub;

    WaiterQueue(LocalKv kv, WatchHub hub) {
        this.kv = kv;
        this.hub = hub;
    }

    /**
     * Where a waiter stands after joining.
     *
     * @param existing the key as it was when the waiter joined again with the same lease; null when just made
     * @param first    whether it was already the oldest key when it joined
     */
    record Joined(
            ByteString key, long lease, long createRevision, ResponseHeader header, KeyValue existing, boolean first) {}

    /** A waiter whose turn came; {@code header} is from the read that found it oldest. */
    record Turn(Joined joined, ResponseHeader header) {}

    /**
     * Joins the queue under {@code prefix} with {@code lease} (0: a new lease of {@link #SESSION_TTL_SECONDS}) and
     * {@code value}, runs {@code afterJoin} (it may fail the call), then waits for the turn. Cancelling the returned
     * future (the client went away) ends the wait and removes the key.
     */
    CompletableFuture<Turn> enter(
            ByteString prefix, long lease, ByteString value, Function<Joined, CompletableFuture<?>> afterJoin) {
        CompletableFuture<Turn> result = new CompletableFuture<>();
        kv.sessionLease(lease, SESSION_TTL_SECONDS)
                .thenCompose(id -> join(prefix, id, value))
                .whenComplete((joined, err) -> {
                    if (err != null) {
                        result.completeExceptionally(err);
                        return;
                    }
                    afterJoin
                            .apply(joined)
                            .thenCompose(v -> joined.first()
                                    ? CompletableFuture.completedFuture(joined.header())
                                    : waitTurn(prefix, joined, result))
                            .whenComplete((header, e) -> {
                                if (e == null && result.complete(new Turn(joined, header))) {
                                    return;
                                }
                                if (e != null) {
                                    result.completeExceptionally(e);
                                }
                                leave(joined, e); // failed, or cancelled (perhaps just as the turn came)
                            });
                });
        return result;
    }

    private CompletableFuture<Joined> join(ByteString prefix, long lease, ByteString value) {
        ByteString key = Keys.waiterKey(prefix, lease);
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Keys.createdAt(key, 0))
                .addSuccess(Keys.putOp(key, value, lease))
                .addSuccess(Keys.rangeOp(Keys.oldest(prefix)))
                .addFailure(Keys.rangeOp(Keys.get(key)))
                .addFailure(Keys.rangeOp(Keys.oldest(prefix)))
                .build();
        return kv.txn(txn).thenApply(t -> joined(key, lease, t));
    }

    private static Joined joined(ByteString key, long lease, TxnResponse t) {
        KeyValue existing =
                t.getSucceeded() ? null : Keys.first(t.getResponses(0).getResponseRange());
        if (!t.getSucceeded() && existing == null) {
            throw new IllegalStateException("the Txn found key " + key.toStringUtf8() + " and then did not read it");
        }
        long createRevision = existing == null ? t.getHeader().getRevision() : existing.getCreateRevision();
        KeyValue oldest = Keys.first(t.getResponses(1).getResponseRange());
        boolean first = oldest == null || oldest.getCreateRevision() == createRevision;
        return new Joined(key, lease, createRevision, t.getHeader(), existing, first);
    }

    private CompletableFuture<ResponseHeader> waitTurn(ByteString prefix, Joined j, CompletableFuture<?> caller) {
        if (caller.isDone()) {
            return CompletableFuture.failedFuture(new CancellationException("the caller went away"));
        }
        CompletableFuture<ResponseHeader> wait = PredecessorWait.start(kv, hub, prefix, j.key(), j.createRevision());
        caller.whenComplete((v, e) -> wait.cancel(false)); // no-op once the wait has completed the caller
        return wait;
    }

    /** Removes the waiter's key if it is still the one it made. */
    private void leave(Joined j, Throwable why) {
        Throwable cause = why instanceof CompletionException && why.getCause() != null ? why.getCause() : why;
        if (cause instanceof RecipeException r && r.error() == RecipeError.SESSION_EXPIRED) {
            return; // the key is gone already
        }
        kv.txn(TxnRequest.newBuilder()
                        .addCompare(Keys.createdAt(j.key(), j.createRevision()))
                        .addSuccess(Keys.deleteOp(j.key()))
                        .build())
                .whenComplete((t, e) -> {
                    if (e != null) {
                        LOG.debug("removing waiter key {} failed: {}", j.key().toStringUtf8(), e.toString());
                    }
                });
    }

    /**
     * {@code f} mapped by {@code fn}, where cancelling the mapped future cancels {@code f} (plain thenApply does not
     * pass cancellation back).
     */
    static <T, R> CompletableFuture<R> mapCancellable(CompletableFuture<T> f, Function<T, R> fn) {
        CompletableFuture<R> mapped = f.thenApply(fn);
        mapped.whenComplete((r, e) -> {
            if (mapped.isCancelled()) {
                f.cancel(false);
            }
        });
        return mapped;
    }
}
