package io.etcdj.server.lease;

import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import java.util.concurrent.CompletableFuture;

/**
 * This member's lessor as the primary, renewing a lease only once a {@link LeadershipCheck} has confirmed that this
 * member still leads. Both the keep-alives of this member's clients and those forwarded by followers come here; a
 * renewal that cannot be confirmed fails with "not a primary lessor", as etcd answers it. TimeToLive asks the lessor
 * directly (it only reports; etcd does not confirm it either).
 */
public final class ConfirmedLeases implements PrimaryLeases {
    private final Lessor lessor;
    private final LeadershipCheck leadership;

    public ConfirmedLeases(Lessor lessor, LeadershipCheck leadership) {
        this.lessor = lessor;
        this.leadership = leadership;
    }

    /** Whether this member's lessor is primary now (it may still have to confirm it leads). */
    public boolean isPrimary() {
        return lessor.isPrimary();
    }

    @Override
    public CompletableFuture<Long> renew(long leaseId) {
        return leadership.confirm().thenCompose(v -> lessor.renew(leaseId));
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long leaseId, boolean withKeys) {
        return lessor.timeToLive(leaseId, withKeys);
    }
}
