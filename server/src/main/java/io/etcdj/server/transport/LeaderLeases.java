package io.etcdj.server.transport;

import io.etcdj.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdj.api.peer.LeaseRenewRequest;
import io.etcdj.api.peer.LeaseRenewResponse;
import io.etcdj.server.lease.ConfirmedLeases;
import io.etcdj.server.lease.PrimaryLeases;
import java.util.concurrent.CompletableFuture;

/**
 * Lease keep-alives and TimeToLive, answered by the primary lessor: this member's own when it is primary (a renewal
 * once it has confirmed it still leads: {@link ConfirmedLeases}), else the leader's, over the peer port, where the
 * leader confirms likewise before renewing.
 */
public final class LeaderLeases implements PrimaryLeases {
    private final ConfirmedLeases local;
    private final LeaderCalls leader;

    public LeaderLeases(ConfirmedLeases local, LeaderCalls leader) {
        this.local = local;
        this.leader = leader;
    }

    @Override
    public CompletableFuture<Long> renew(long leaseId) {
        if (local.isPrimary()) {
            return local.renew(leaseId);
        }
        LeaseRenewRequest r = LeaseRenewRequest.newBuilder().setId(leaseId).build();
        return leader.<LeaseRenewResponse>call((stub, out) -> stub.leaseRenew(r, out))
                .thenApply(LeaseRenewResponse::getTtl);
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long leaseId, boolean withKeys) {
        if (local.isPrimary()) {
            return local.timeToLive(leaseId, withKeys);
        }
        LeaseTimeToLiveRequest r = LeaseTimeToLiveRequest.newBuilder()
                .setID(leaseId)
                .setKeys(withKeys)
                .build();
        return leader.call((stub, out) -> stub.leaseTimeToLive(r, out));
    }
}
