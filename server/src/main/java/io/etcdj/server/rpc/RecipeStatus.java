package io.etcdj.server.rpc;

import io.etcdj.server.common.EtcdException;
import io.etcdj.server.concurrency.RecipeError.RecipeException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The statuses of the Lock and Election services. etcd 3.4 serves them through an in-process client, so every error
 * reaches the caller with code UNKNOWN and the error's text ("etcdserver: requested lease not found", "election: not
 * leader"); we keep that, except for UNAVAILABLE ("etcdserver: no leader", "server stopped", timeouts), which keeps
 * its code so that clients retry: Lock and Campaign are safe to retry with the same lease, which finds its own key.
 */
final class RecipeStatus {
    private RecipeStatus() {}

    static StatusRuntimeException of(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RecipeException r) {
            return r.error().status().asRuntimeException();
        }
        if (cause instanceof EtcdException e) {
            return e.error().code() == Status.Code.UNAVAILABLE
                    ? e.error().asException()
                    : Status.UNKNOWN.withDescription(e.error().message()).asRuntimeException();
        }
        if (cause instanceof CancellationException) {
            return Status.CANCELLED.withDescription("the call was cancelled").asRuntimeException();
        }
        return Replies.toStatus(cause);
    }
}
