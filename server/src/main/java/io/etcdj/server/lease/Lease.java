package io.etcdj.server.lease;

import java.util.Comparator;

/**
 * One lease as the lessor holds it in memory. Its attached keys are not here: they live in the store (see
 * {@link LeaseStore}), so the keyspace attached to leases can be larger than memory.
 *
 * <p>Every mutable field is guarded by the owning {@link Lessor}'s monitor.
 */
final class Lease {
    /** Expiry order, ties broken by ID so that distinct leases never compare equal. */
    static final Comparator<Lease> BY_DEADLINE =
            Comparator.comparingLong((Lease l) -> l.deadlineNanos).thenComparingLong(l -> l.id);

    final long id;
    final long ttlSeconds;
    /**
     * When the lease expires, on the lessor's clock. On the primary this is the truth; elsewhere it is an estimate
     * kept from grants and checkpoints, which becomes the truth (or later) on promotion.
     */
    long deadlineNanos;
    /** True while a revoke of this expired lease is proposed and not yet settled; it is then out of the queue. */
    boolean revoking;
    /** True while the lease waits in the lessor's checkpoint set. */
    boolean dirty;
    /** When the primary last proposed (or, at the grant, wrote) this lease's remaining TTL. */
    long checkpointedNanos;

    Lease(long id, long ttlSeconds, long deadlineNanos, long checkpointedNanos) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        this.deadlineNanos = deadlineNanos;
        this.checkpointedNanos = checkpointedNanos;
    }

    long ttlNanos() {
        return ttlSeconds * 1_000_000_000L;
    }

    @Override
    public String toString() {
        return "Lease[" + Long.toHexString(id) + ", ttl=" + ttlSeconds + "s]";
    }
}
