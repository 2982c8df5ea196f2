package io.etcdj.server.lease;

/**
 * The lessor's limits and periods. Units are in the names.
 *
 * @param minTtlSeconds          a granted TTL below this is raised to it: ceil(1.5 x election timeout), as etcd
 * @param promoteExtendMs        a new primary gives every lease this long on top of its TTL (with checkpoints: at
 *                               least this long), so that clients cut off during the election can reach it (one
 *                               election timeout, as etcd)
 * @param revokesPerSecond       the most expired leases the primary proposes to revoke per second
 * @param maxRevokesInFlight     the most revoke entries proposed and not yet applied: bounds how much lease work
 *                               can sit in the log ahead of a client's write
 * @param checkpointIntervalMs   how often the primary records renewed leases' remaining TTLs through the log
 * @param checkpointBatchLeases  the most leases in one checkpoint entry
 * @param maxCheckpointsInFlight the most checkpoint entries proposed and not yet applied
 * @param checkpointRefreshMs    a lease not renewed is still checkpointed at least this often, so a restarted
 *                               member's idea of its remaining TTL is never older than this
 * @param tickMs                 how often the expiry driver looks for work
 * @param checkpoint             etcd's LeaseCheckpoint feature gate (off by default, as in etcd 3.6): the primary
 *                               records remaining TTLs through the log, and a new primary continues from them
 *                               instead of granting every lease a full TTL; the checkpoint fields above apply only
 *                               then
 */
public record LeaseConfig(
        long minTtlSeconds,
        long promoteExtendMs,
        int revokesPerSecond,
        int maxRevokesInFlight,
        long checkpointIntervalMs,
        int checkpointBatchLeases,
        int maxCheckpointsInFlight,
        long checkpointRefreshMs,
        long tickMs,
        boolean checkpoint) {
    /** etcd's largest TTL (lease.MaxLeaseTTL): 9,000,000,000 seconds. */
    public static final long MAX_TTL_SECONDS = 9_000_000_000L;

    public LeaseConfig {
        if (minTtlSeconds < 1
                || promoteExtendMs < 0
                || revokesPerSecond < 1
                || maxRevokesInFlight < 1
                || checkpointIntervalMs < 1
                || checkpointBatchLeases < 1
                || maxCheckpointsInFlight < 1
                || checkpointRefreshMs < checkpointIntervalMs
                || tickMs < 1) {
            throw new IllegalArgumentException("invalid lease configuration: " + this);
        }
    }

    /** The defaults for a member whose raft election timeout is {@code electionTimeoutMs}: no checkpoints. */
    public static LeaseConfig forElectionTimeout(long electionTimeoutMs) {
        long minTtl = Math.max(1, (3 * electionTimeoutMs + 1999) / 2000); // ceil(1.5 x timeout) in seconds
        return new LeaseConfig(minTtl, electionTimeoutMs, 5000, 256, 500, 1000, 4, 300_000, 20, false);
    }

    /** A copy with the LeaseCheckpoint gate on or off. */
    public LeaseConfig withCheckpoint(boolean on) {
        return new LeaseConfig(
                minTtlSeconds,
                promoteExtendMs,
                revokesPerSecond,
                maxRevokesInFlight,
                checkpointIntervalMs,
                checkpointBatchLeases,
                maxCheckpointsInFlight,
                checkpointRefreshMs,
                tickMs,
                on);
    }

    /** A copy with another revoke rate and in-flight bound (tests and benchmarks). */
    public LeaseConfig withRevokeLimits(int perSecond, int inFlight) {
        return new LeaseConfig(
                minTtlSeconds,
                promoteExtendMs,
                perSecond,
                inFlight,
                checkpointIntervalMs,
                checkpointBatchLeases,
                maxCheckpointsInFlight,
                checkpointRefreshMs,
                tickMs,
                checkpoint);
    }
}
