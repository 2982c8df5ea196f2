package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.v3lockpb.LockResponse;
import io.etcdj.api.v3lockpb.UnlockResponse;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.watch.WatchHub;
import java.util.concurrent.CompletableFuture;

/**
 * Distributed locks, as etcd's Lock service has them: locking name N with a lease puts the key {@code N/<lease hex>}
 * under that lease and waits until it is the oldest key under {@code N/}; the answer carries that key, whose create
 * revision is the fencing token (see docs/locks-and-elections.md). Unlocking deletes the key; so does the lease
 * ending, which is how a crashed holder's lock is released.
 */
public final class Locks {
    private final LocalKv kv;
    private final WatchHub hub;
    private final WaiterQueue queue;

    public Locks(LocalKv kv, WatchHub hub) {
        this.kv = kv;
        this.hub = hub;
        this.queue = new WaiterQueue(kv, hub);
    }

    /** The same service for a client's request: everything it reads and writes is checked as {@code caller}'s. */
    public Locks as(AuthInfo caller) {
        return new Locks(kv.as(caller), hub);
    }

    /**
     * Completes once the lock is held: at once when the caller's lease holds it already. Fails with "etcdserver:
     * requested lease not found" for an unknown lease, and with {@link RecipeError#SESSION_EXPIRED} when the lease
     * ends while waiting. Cancelling the future (the client went away) removes the waiter's key.
     *
     * @param lease 0: a new lease of 60 seconds, as etcd grants
     */
    public CompletableFuture<LockResponse> lock(ByteString name, long lease) {
        return WaiterQueue.mapCancellable(
                queue.enter(Keys.prefix(name), lease, ByteString.EMPTY, j -> CompletableFuture.completedFuture(null)),
                t -> LockResponse.newBuilder()
                        .setHeader(t.header())
                        .setKey(t.joined().key())
                        .build());
    }

    /** Deletes the lock's key, whoever holds it (etcd does the same); an empty key is refused. */
    public CompletableFuture<UnlockResponse> unlock(ByteString key) {
        return kv.delete(key)
                .thenApply(d ->
                        UnlockResponse.newBuilder().setHeader(d.getHeader()).build());
    }
}
