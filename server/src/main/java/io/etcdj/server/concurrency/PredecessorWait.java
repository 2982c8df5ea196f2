package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.watch.WatchHub;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waits, without holding a thread, until a waiter's key is the oldest under its prefix: until no key created before
 * it is left. Each round reads, at one revision, the youngest key older than the waiter's (its predecessor) and the
 * waiter's own key, then watches the deletions of both from the next revision:
 * <ul>
 *   <li>no predecessor: the turn has come; the future completes with the read's header;</li>
 *   <li>the predecessor is deleted: the next round (a still older key may remain);</li>
 *   <li>the own key is gone, or is another key now: the wait fails with {@link RecipeError#SESSION_EXPIRED}
 *   (its lease ended, or someone deleted it);</li>
 *   <li>the watch is canceled by compaction: the next round, which reads the present.</li>
 * </ul>
 * Only the waiter whose predecessor went is woken, so a release wakes one waiter, not every waiter.
 * Cancelling the returned future stops the wait and closes its watch.
 *
 * <p>States: READING (a read in flight, {@code watch} null) -> WATCHING ({@code watch} set) -> READING ... until
 * the future completes (DONE). Callbacks of an earlier round's watch are told apart by {@code round}.
 */
final class PredecessorWait {
    private final LocalKv kv;
    private final WatchHub hub;
    private final ByteString prefix;
    private final ByteString ownKey;
    private final long ownRevision;
    private final CompletableFuture<ResponseHeader> done = new CompletableFuture<>();

    /** The watch of the current round while WATCHING. Guarded by this. */
    private LocalWatch watch;
    /** Counts watches opened; only the newest one's callbacks count. Guarded by this. */
    private long round;

    private PredecessorWait(LocalKv kv, WatchHub hub, ByteString prefix, ByteString ownKey, long ownRevision) {
        this.kv = kv;
        this.hub = hub;
        this.prefix = prefix;
        this.ownKey = ownKey;
        this.ownRevision = ownRevision;
    }

    /** Starts waiting for the turn of {@code ownKey}, created at {@code ownRevision} under {@code prefix}. */
    static CompletableFuture<ResponseHeader> start(
            LocalKv kv, WatchHub hub, ByteString prefix, ByteString ownKey, long ownRevision) {
        PredecessorWait w = new PredecessorWait(kv, hub, prefix, ownKey, ownRevision);
        w.done.whenComplete((h, e) -> w.stopWatching());
        w.read();
        return w.done;
    }

    private void read() {
        if (done.isDone()) {
            return;
        }
        kv.read(0, Keys.youngestUpTo(prefix, ownRevision - 1), Keys.get(ownKey)).whenComplete((reads, err) -> {
            if (err != null) {
                done.completeExceptionally(err);
                return;
            }
            KeyValue own = Keys.first(reads.get(1));
            KeyValue predecessor = Keys.first(reads.get(0));
            if (own == null || own.getCreateRevision() != ownRevision) {
                done.completeExceptionally(RecipeError.SESSION_EXPIRED.exception());
            } else if (predecessor == null) {
                done.complete(reads.header());
            } else {
                watch(predecessor.getKey(), reads.header().getRevision() + 1);
            }
        });
    }

    private void watch(ByteString predecessor, long fromRevision) {
        long myRound;
        synchronized (this) {
            if (done.isDone()) {
                return;
            }
            myRound = ++round;
        }
        // opened outside the lock: a hub that sends inline may call back before open returns
        LocalWatch w = LocalWatch.open(
                hub,
                List.of(
                        LocalWatch.deletionsOf(predecessor, fromRevision),
                        LocalWatch.deletionsOf(ownKey, fromRevision)),
                () -> true,
                r -> onResponse(myRound, r));
        synchronized (this) {
            if (round == myRound && !done.isDone()) {
                watch = w;
                return;
            }
        }
        w.close(); // woken while opening, or finished meanwhile
    }

    private void onResponse(long fromRound, WatchResponse r) {
        boolean refused = r.getCanceled() && r.getCompactRevision() == 0;
        if (!r.getCanceled() && r.getEventsCount() == 0) {
            return; // created, or progress
        }
        LocalWatch w;
        synchronized (this) {
            if (fromRound != round || done.isDone()) {
                return;
            }
            round++; // later callbacks of this watch are stale
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close();
        }
        if (refused) { // the hub's limits (too many watchers): waiting cannot work
            done.completeExceptionally(Status.RESOURCE_EXHAUSTED
                    .withDescription(r.getCancelReason())
                    .asRuntimeException());
        } else {
            read(); // a deletion, or compaction: look again
        }
    }

    private void stopWatching() {
        LocalWatch w;
        synchronized (this) {
            round++;
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close();
        }
    }
}
