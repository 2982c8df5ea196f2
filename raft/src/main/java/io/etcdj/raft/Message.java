package io.etcdj.raft;

import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A message between members. Every message names its sender, its addressee and the sender's term; a term
 * of 0 marks a request that is forwarded on behalf of a client (a proposal, a read, a transfer request)
 * and is therefore not subject to term checks.
 *
 * <p>Messages are immutable values; {@link RaftCodec} turns them into bytes and back.
 */
public sealed interface Message {
    /** Sender id. */
    long from();

    /** Addressee id. */
    long to();

    /** Sender's term, or 0 for a forwarded client request. */
    long term();

    /**
     * Leader to follower: append {@code entries} after the entry at {@code prevIndex} if it has
     * {@code prevTerm}, then commit up to {@code commit}. Empty entries make a probe.
     */
    record AppendRequest(long from, long to, long term, long prevIndex, long prevTerm, List<Entry> entries, long commit)
            implements Message {
        /** Copies the entry list. */
        public AppendRequest {
            entries = List.copyOf(entries);
        }

        /**
         * Why no leader could have sent this append, or null: its entries must follow {@code prevIndex} one by one,
         * with terms that never go down, from {@code prevTerm} up to the message's own term. A member refuses a
         * malformed append whole (appending it could rewrite committed entries).
         */
        public String malformation() {
            long expectIndex = prevIndex + 1;
            long lastTerm = prevTerm;
            for (Entry e : entries) {
                if (e.index() != expectIndex) {
                    return "entry index " + e.index() + " where " + expectIndex + " must follow";
                }
                if (e.term() < lastTerm || e.term() > term) {
                    return "entry " + e.index() + " of term " + e.term() + " outside [" + lastTerm + "," + term + "]";
                }
                expectIndex++;
                lastTerm = e.term();
            }
            return null;
        }
    }

    /**
     * Follower to leader: the log now matches up to {@code index}; or, when {@code reject}, the append at
     * {@code index} did not match and the follower suggests probing at {@code hintIndex}, whose term in
     * the follower's log is {@code hintTerm} (fast backtracking).
     */
    record AppendResponse(long from, long to, long term, long index, boolean reject, long hintIndex, long hintTerm)
            implements Message {}

    /**
     * Candidate to voter: vote for me in {@code term}; my log ends at {@code lastIndex} with
     * {@code lastTerm}. A pre-vote asks whether the voter would vote, without anyone changing term; a
     * transfer vote (after TimeoutNow) overrides the voter's leader lease.
     */
    record VoteRequest(long from, long to, long term, long lastIndex, long lastTerm, boolean preVote, boolean transfer)
            implements Message {}

    /** Voter to candidate: the (pre-)vote is granted unless {@code reject}. */
    record VoteResponse(long from, long to, long term, boolean preVote, boolean reject) implements Message {}

    /**
     * Leader to follower: I am still leader; you may commit up to {@code commit} (never beyond what you
     * have acknowledged). {@code readRound} is the read-index round this heartbeat confirms, or 0.
     */
    record HeartbeatRequest(long from, long to, long term, long commit, long readRound) implements Message {}

    /** Follower to leader: acknowledges a heartbeat, echoing its read round. */
    record HeartbeatResponse(long from, long to, long term, long readRound) implements Message {}

    /** Leader to follower: your log is behind my compaction point; install this snapshot. */
    record SnapshotRequest(long from, long to, long term, Snapshot snapshot) implements Message {
        /** Checks the fields. */
        public SnapshotRequest {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** Leader to its chosen successor: start an election now (leadership transfer). */
    record TimeoutNow(long from, long to, long term) implements Message {}

    /** Follower to leader (term 0): proposals made on the follower, to be appended by the leader. */
    record ProposalRequest(long from, long to, long term, List<Entry> entries) implements Message {
        /** Copies the entry list. */
        public ProposalRequest {
            entries = List.copyOf(entries);
        }
    }

    /** Follower to leader (term 0): confirm leadership and tell me the read index for {@code context}. */
    record ReadIndexRequest(long from, long to, long term, byte[] context) implements Message {
        /** Checks the fields. */
        public ReadIndexRequest {
            Objects.requireNonNull(context, "context");
        }

        @Override
        public String toString() {
            return "ReadIndexRequest[from=" + from + ", to=" + to + ", term=" + term + ", context="
                    + HexFormat.of().formatHex(context) + "]";
        }
    }

    /** Leader to follower: the read for {@code context} may be served once {@code index} is applied. */
    record ReadIndexResponse(long from, long to, long term, long index, byte[] context) implements Message {
        /** Checks the fields. */
        public ReadIndexResponse {
            Objects.requireNonNull(context, "context");
        }

        @Override
        public String toString() {
            return "ReadIndexResponse[from=" + from + ", to=" + to + ", term=" + term + ", index=" + index
                    + ", context=" + HexFormat.of().formatHex(context) + "]";
        }
    }

    /** Follower to leader: please hand leadership to {@code transferee}. */
    record TransferRequest(long from, long to, long term, long transferee) implements Message {}
}
