package io.etcdj.raft;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Everything a {@link RaftNode} is configured with. Times are in ticks (the caller decides how long a
 * tick is); sizes in bytes. Build with {@link #builder(long, Storage, RandomGenerator)}.
 *
 * @param id                         this member's id (positive)
 * @param storage                    the durable log
 * @param random                     source of election-timeout jitter; seed it for reproducible runs
 * @param electionTicks              base election timeout; the actual one is uniform in [this, 2 * this)
 * @param heartbeatTicks             leader heartbeat interval; must be below {@code electionTicks}
 * @param preVote                    run a pre-election before incrementing the term
 * @param checkQuorum                leader steps down without a quorum's contact in an election timeout;
 *                                   followers then also ignore votes while they hear from a leader
 * @param forwardProposals           followers forward proposals to the leader (else they refuse them)
 * @param maxSizePerMsgBytes         max entry bytes in one append message (one entry always fits)
 * @param maxInflightMsgs            max unacknowledged appends per follower
 * @param maxInflightBytes           max unacknowledged entry bytes per follower (0: unbounded)
 * @param maxUncommittedBytes        max entry bytes the leader holds uncommitted before refusing proposals
 * @param maxCommittedSizePerReadyBytes max committed entry bytes handed out in one Ready
 * @param maxPendingReads            max read-index requests waiting on a leader
 * @param maxEntrySizeBytes          largest single proposal payload accepted
 * @param maxOutboxMsgs              max messages waiting for the next Ready before a follower refuses to
 *                                   forward more client requests
 */
public record RaftConfig(
        long id,
        Storage storage,
        RandomGenerator random,
        int electionTicks,
        int heartbeatTicks,
        boolean preVote,
        boolean checkQuorum,
        boolean forwardProposals,
        long maxSizePerMsgBytes,
        int maxInflightMsgs,
        long maxInflightBytes,
        long maxUncommittedBytes,
        long maxCommittedSizePerReadyBytes,
        int maxPendingReads,
        long maxEntrySizeBytes,
        int maxOutboxMsgs) {

    /** Checks every field. */
    public RaftConfig {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(random, "random");
        if (id <= 0) {
            throw new IllegalArgumentException("id must be positive: " + id);
        }
        if (heartbeatTicks <= 0 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException(
                    "need 0 < heartbeatTicks < electionTicks, got " + heartbeatTicks + ", " + electionTicks);
        }
        if (maxSizePerMsgBytes <= 0
                || maxInflightMsgs <= 0
                || maxInflightBytes < 0
                || maxUncommittedBytes <= 0
                || maxCommittedSizePerReadyBytes <= 0
                || maxPendingReads <= 0
                || maxEntrySizeBytes <= 0
                || maxOutboxMsgs <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** A builder with etcd-like defaults (election 10 ticks, heartbeat 1, PreVote and CheckQuorum on). */
    public static Builder builder(long id, Storage storage, RandomGenerator random) {
        return new Builder(id, storage, random);
    }

    /** Builds a {@link RaftConfig}; every setter returns the builder. */
    public static final class Builder {
        private final long id;
        private final Storage storage;
        private final RandomGenerator random;
        private int electionTicks = 10;
        private int heartbeatTicks = 1;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private boolean forwardProposals = true;
        private long maxSizePerMsgBytes = 1 << 20;
        private int maxInflightMsgs = 256;
        private long maxInflightBytes = 0;
        private long maxUncommittedBytes = 64L << 20;
        private long maxCommittedSizePerReadyBytes = 64L << 20;
        private int maxPendingReads = 10_000;
        private long maxEntrySizeBytes = 16L << 20;
        private int maxOutboxMsgs = 100_000;

        private Builder(long id, Storage storage, RandomGenerator random) {
            this.id = id;
            this.storage = storage;
            this.random = random;
        }

        /** Base election timeout in ticks. */
        public Builder electionTicks(int v) {
            electionTicks = v;
            return this;
        }

        /** Heartbeat interval in ticks. */
        public Builder heartbeatTicks(int v) {
            heartbeatTicks = v;
            return this;
        }

        /** Whether to run PreVote. */
        public Builder preVote(boolean v) {
            preVote = v;
            return this;
        }

        /** Whether to run CheckQuorum. */
        public Builder checkQuorum(boolean v) {
            checkQuorum = v;
            return this;
        }

        /** Whether followers forward proposals (true) or refuse them (false). */
        public Builder forwardProposals(boolean v) {
            forwardProposals = v;
            return this;
        }

        /** Max entry bytes per append message. */
        public Builder maxSizePerMsgBytes(long v) {
            maxSizePerMsgBytes = v;
            return this;
        }

        /** Max appends in flight per follower. */
        public Builder maxInflightMsgs(int v) {
            maxInflightMsgs = v;
            return this;
        }

        /** Max entry bytes in flight per follower (0: unbounded). */
        public Builder maxInflightBytes(long v) {
            maxInflightBytes = v;
            return this;
        }

        /** Max uncommitted entry bytes on the leader. */
        public Builder maxUncommittedBytes(long v) {
            maxUncommittedBytes = v;
            return this;
        }

        /** Max committed entry bytes per Ready. */
        public Builder maxCommittedSizePerReadyBytes(long v) {
            maxCommittedSizePerReadyBytes = v;
            return this;
        }

        /** Max pending read-index requests on a leader. */
        public Builder maxPendingReads(int v) {
            maxPendingReads = v;
            return this;
        }

        /** Largest single proposal payload. */
        public Builder maxEntrySizeBytes(long v) {
            maxEntrySizeBytes = v;
            return this;
        }

        /** Max messages waiting for the next Ready before forwarded client requests are refused. */
        public Builder maxOutboxMsgs(int v) {
            maxOutboxMsgs = v;
            return this;
        }

        /** The configuration. */
        public RaftConfig build() {
            return new RaftConfig(
                    id,
                    storage,
                    random,
                    electionTicks,
                    heartbeatTicks,
                    preVote,
                    checkQuorum,
                    forwardProposals,
                    maxSizePerMsgBytes,
                    maxInflightMsgs,
                    maxInflightBytes,
                    maxUncommittedBytes,
                    maxCommittedSizePerReadyBytes,
                    maxPendingReads,
                    maxEntrySizeBytes,
                    maxOutboxMsgs);
        }
    }
}
