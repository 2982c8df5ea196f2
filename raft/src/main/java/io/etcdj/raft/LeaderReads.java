package io.etcdj.raft;

import io.etcdj.raft.Message.ReadIndexResponse;
import io.etcdj.raft.ProposalRefusedException.Reason;

/**
 * The leader's side of ReadIndex: queue each read with the commit index it must wait for, confirm
 * leadership with a heartbeat round that a quorum of voters acknowledges, then answer (locally with a
 * {@link ReadState}, or to the asking follower). A new leader answers only once an entry of its own term
 * has committed, since until then its commit index may lag.
 */
final class LeaderReads {
    private final Raft r;
    private final ReadIndexQueue reads;

    LeaderReads(Raft r) {
        this.r = r;
        this.reads = new ReadIndexQueue(r.cfg.maxPendingReads());
    }

    /** Drops every pending read (leadership lost). */
    void clear() {
        reads.clear();
    }

    /** Id of the newest round, which every heartbeat carries. */
    long lastRoundId() {
        return reads.lastRoundId();
    }

    /** Starts a round for waiting reads if none is in flight; returns whether heartbeats went out. */
    boolean startRoundIfIdle() {
        return reads.hasWaiting() && !reads.roundInFlight() && startReadRound();
    }

    void readIndex(long from, byte[] context) {
        if (!reads.add(from, context, r.log.committed())) {
            if (from == r.id) {
                throw new ProposalRefusedException(Reason.OVERLOADED, "too many pending reads");
            }
            return;
        }
        if (!reads.roundInFlight()) {
            startReadRound();
        }
    }

    private boolean committedInCurrentTerm() {
        return r.log.term(r.log.committed()) == r.term;
    }

    /** Starts a read round if allowed; returns whether heartbeats (or a local answer) went out. */
    private boolean startReadRound() {
        if (!committedInCurrentTerm()) {
            return false; // our commit index may be stale until an entry of our term commits
        }
        long round = reads.startRound(r.log.committed());
        Progress self = r.tracker.get(r.id);
        if (self != null) {
            self.readAckRound = round;
        }
        if (r.tracker.isSingleton() && r.tracker.isVoter(r.id)) {
            checkReads();
            return true;
        }
        r.replicator.bcastHeartbeat(round);
        return true;
    }

    /** The outbox was handed out in a Ready. */
    void onMessagesHandedOut() {
        reads.close();
    }

    /** Answers every read round a quorum of voters has confirmed. */
    void checkReads() {
        if (!reads.roundInFlight()) {
            return;
        }
        long confirmed = r.tracker.quorumValue(pr -> pr.readAckRound);
        for (ReadIndexQueue.Round round : reads.confirm(confirmed)) {
            for (ReadIndexQueue.Request req : round.requests) {
                if (req.from() == r.id) {
                    r.readStates.add(new ReadState(round.index, req.context()));
                } else {
                    r.send(new ReadIndexResponse(r.id, req.from(), r.term, round.index, req.context()));
                }
            }
        }
        if (reads.hasWaiting() && !reads.roundInFlight()) {
            startReadRound();
        }
    }
}
