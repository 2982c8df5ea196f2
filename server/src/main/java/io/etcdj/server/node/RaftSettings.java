package io.etcdj.server.node;

/**
 * How a raft member runs. Times in milliseconds; raft itself counts ticks of {@code heartbeatMs}.
 *
 * @param memberId               this member's ID
 * @param heartbeatMs            --heartbeat-interval: one raft tick
 * @param electionTimeoutMs      --election-timeout: the election timeout, in ticks a multiple of the heartbeat
 * @param preVote                --pre-vote
 * @param snapshotCount          --snapshot-count: applied entries between store flushes (snapshots)
 * @param maxRequestBytes        --max-request-bytes: largest command accepted
 * @param snapshotCatchUpEntries entries kept in the log behind a snapshot, for followers a little behind
 */
public record RaftSettings(
        long memberId,
        long heartbeatMs,
        long electionTimeoutMs,
        boolean preVote,
        long snapshotCount,
        int maxRequestBytes,
        long snapshotCatchUpEntries) {
    /** etcd keeps this many entries behind a snapshot (SnapshotCatchUpEntries). */
    public static final long DEFAULT_CATCH_UP_ENTRIES = 5000;

    /** Checks the fields. */
    public RaftSettings {
        if (heartbeatMs <= 0 || electionTimeoutMs < 2 * heartbeatMs) {
            throw new IllegalArgumentException("need 0 < 2 x heartbeat <= election timeout, got " + heartbeatMs
                    + " ms and " + electionTimeoutMs + " ms");
        }
    }

    /** The election timeout in ticks. */
    public int electionTicks() {
        return (int) Math.max(2, electionTimeoutMs / heartbeatMs);
    }

    /** How long a linearizable read waits for its ReadIndex answer before asking again (etcd 3.5+: 500 ms), in ticks. */
    public long readResendTicks() {
        return Math.max(1, 500 / heartbeatMs);
    }

    /** How long a request may wait for its entry (etcd: 5 s plus two election timeouts), in ticks. */
    public long requestTimeoutTicks() {
        return Math.max(1, (5000 + 2 * electionTimeoutMs) / heartbeatMs);
    }
}
