package io.etcdj.server.lease;

import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The lease questions only the primary lessor (the leader's) can answer, because only it knows the true
 * deadlines: renewing a lease and telling its remaining TTL. Keep-alives renew in the primary's memory only,
 * without a log entry.
 *
 * <p>{@link Lessor} answers them when it is primary and fails with "etcdserver: not leader" otherwise. A cluster
 * member puts an implementation in front that forwards to the leader over the peer transport when its own lessor
 * is not primary; the lease service only ever talks to this interface.
 */
public interface PrimaryLeases {
    /**
     * Renews lease {@code leaseId} for its full TTL. Completes with the granted TTL in seconds, or with 0 when the
     * lease does not exist; a lease that has already expired completes with 0 once its revoke is applied (so the
     * caller never sees its keys after being told it is gone).
     */
    CompletableFuture<Long> renew(long leaseId);

    /**
     * The remaining and granted TTL of lease {@code leaseId}, and its keys when {@code withKeys}. An unknown or
     * expired lease answers TTL -1 and nothing else, as etcd does. The response header is left for the caller.
     */
    CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long leaseId, boolean withKeys);
}
