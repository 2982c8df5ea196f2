package io.etcdj.server.cluster;

/**
 * Member IDs are etcd's unsigned 64-bit numbers (half of them negative as Java longs); the raft core wants positive
 * IDs. A member's raft ID is its member ID with the top bit cleared. Two members differing only in that bit would
 * collide; with IDs drawn from SHA-1 that never happens in practice, and adding such a member is refused.
 */
public final class RaftIds {
    private RaftIds() {}

    /** The raft ID of a member. */
    public static long of(long memberId) {
        long id = memberId & Long.MAX_VALUE;
        if (id == 0) {
            throw new IllegalArgumentException("member ID " + Long.toHexString(memberId) + " has no raft ID");
        }
        return id;
    }
}
