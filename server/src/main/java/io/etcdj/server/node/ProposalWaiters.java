package io.etcdj.server.node;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.metrics.ServerMetrics;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests waiting for their entry to be applied on this member, by request ID (the {@code id} of a
 * {@code LogCommand}, or the {@code request_id} of a membership change's context). Entries that a leader dropped or
 * that were lost with a failed leader never come back: {@link #expire} fails their waiters after the request
 * timeout. Thread-safe.
 */
final class ProposalWaiters {
    private record Waiter(CompletableFuture<Object> future, long deadlineTick, long leaderAtStart) {}

    /** The waiters; a waiter is removed by whoever completes it (apply, refusal, expiry or close). */
    private final Map<Long, Waiter> waiting = new ConcurrentHashMap<>();

    /** Registers a waiter for request {@code id}, to be expired at {@code deadlineTick}. */
    CompletableFuture<Object> register(long id, long deadlineTick, long leaderAtStart) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        waiting.put(id, new Waiter(f, deadlineTick, leaderAtStart));
        return f;
    }

    /** Completes request {@code id} with the applied result (nothing when no one here waits for it). */
    void complete(long id, Object result) {
        Waiter w = waiting.remove(id);
        if (w != null) {
            w.future.complete(result);
        }
    }

    void fail(long id, EtcdError error) {
        Waiter w = waiting.remove(id);
        if (w != null) {
            ServerMetrics.proposalFailed();
            w.future.completeExceptionally(error.exception());
        }
    }

    /**
     * Fails every waiter whose deadline has passed: with "request timed out, possibly due to previous leader failure"
     * when the leader is no longer the one there was when it was proposed, else "request timed out".
     */
    void expire(long nowTick, long leaderNow) {
        for (Iterator<Map.Entry<Long, Waiter>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Waiter> e = it.next();
            Waiter w = e.getValue();
            if (w.deadlineTick <= nowTick && waiting.remove(e.getKey(), w)) {
                ServerMetrics.proposalFailed();
                w.future.completeExceptionally(
                        (w.leaderAtStart != leaderNow ? EtcdError.TIMEOUT_DUE_TO_LEADER_FAIL : EtcdError.TIMEOUT)
                                .exception());
            }
        }
    }

    void failAll(EtcdError error) {
        for (Long id : waiting.keySet()) {
            fail(id, error);
        }
    }

    int size() {
        return waiting.size();
    }
}
