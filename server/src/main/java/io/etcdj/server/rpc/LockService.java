package io.etcdj.server.rpc;

import io.etcdj.api.v3lockpb.LockGrpc;
import io.etcdj.api.v3lockpb.LockRequest;
import io.etcdj.api.v3lockpb.LockResponse;
import io.etcdj.api.v3lockpb.UnlockRequest;
import io.etcdj.api.v3lockpb.UnlockResponse;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.concurrency.Locks;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Lock service: Lock waits (holding no thread) until the lock is held, the client cancels (its waiting key
 * is removed) or its lease ends; Unlock deletes the key. The logic is {@link Locks}'.
 */
public final class LockService extends LockGrpc.LockImplBase {
    private final Locks locks;

    private final AuthGate gate;

    public LockService(Locks locks, AuthGate gate) {
        this.locks = locks;
        this.gate = gate;
    }

    @Override
    public void lock(LockRequest r, StreamObserver<LockResponse> out) {
        AuthInfo caller = gate.callerOrFail(out);
        if (caller != null) {
            replyUnlessCancelled(locks.as(caller).lock(r.getName(), r.getLease()), out);
        }
    }

    @Override
    public void unlock(UnlockRequest r, StreamObserver<UnlockResponse> out) {
        AuthInfo caller = gate.callerOrFail(out);
        if (caller != null) {
            reply(locks.as(caller).unlock(r.getKey()), out);
        }
    }

    /** Answers from {@code f}, a wait that the client cancelling the call cancels too. */
    static <T> void replyUnlessCancelled(CompletableFuture<T> f, StreamObserver<T> out) {
        ((ServerCallStreamObserver<T>) out).setOnCancelHandler(() -> f.cancel(false));
        reply(f, out);
    }

    /** Answers from {@code f}; nothing is sent for a call the client cancelled. */
    static <T> void reply(CompletableFuture<T> f, StreamObserver<T> out) {
        f.whenComplete((resp, err) -> {
            if (f.isCancelled()) {
                return;
            }
            if (err != null) {
                out.onError(RecipeStatus.of(err));
            } else {
                Replies.send(out, resp);
            }
        });
    }
}
