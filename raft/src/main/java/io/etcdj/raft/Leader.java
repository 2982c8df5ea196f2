package io.etcdj.raft;

import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.ProposalRefusedException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The leader's decisions: accepting proposals, reacting to acknowledgements (flow control, fast
 * backtracking), deciding commitment (only by counting a current-term entry), CheckQuorum, leadership
 * transfer and handing over after its own removal. Sending is {@link Replicator}'s job, reads
 * {@link LeaderReads}'. Holds the state that only matters while leading.
 */
final class Leader {
    private final Raft r;
    private final Replicator replicator;
    private final LeaderReads reads;
    /** Member leadership is being handed to, or 0. */
    long leadTransferee;
    /** Index of the last membership change appended; no other may be proposed until it is applied. */
    long pendingConfIndex;
    /** Payload bytes appended and not yet committed, bounded by maxUncommittedBytes. */
    long uncommittedSizeBytes;

    Leader(Raft r) {
        this.r = r;
        this.replicator = r.replicator;
        this.reads = r.reads;
    }

    /** Called on every term or role change: forget leader-only state and reset every progress. */
    void onReset() {
        leadTransferee = 0;
        uncommittedSizeBytes = 0;
        reads.clear();
        long next = r.log.lastIndex() + 1;
        for (Map.Entry<Long, Progress> e : r.tracker.progress().entrySet()) {
            Progress old = e.getValue();
            Progress pr = new Progress(next, r.cfg.maxInflightMsgs(), r.cfg.maxInflightBytes(), old.learner);
            if (e.getKey() == r.id) {
                pr.match = stableIndex();
            }
            e.setValue(pr);
        }
    }

    /** The last index known durable on this member. */
    private long stableIndex() {
        return r.log.unstable().snapshot() != null ? 0 : r.log.unstable().offset() - 1;
    }

    void onBecomeLeader() {
        Progress self = r.tracker.get(r.id);
        if (self != null) { // null for a removed member finishing its hand-over
            self.becomeReplicate();
            self.next = r.log.lastIndex() + 1;
        }
        // conservatively treat everything in the log as a possible unapplied membership change
        pendingConfIndex = r.log.lastIndex();
        long index = r.log.lastIndex() + 1;
        r.log.append(List.of(new Entry(r.term, index, EntryType.NORMAL, new byte[0])));
        replicator.bcastAppend();
    }

    void tick() {
        r.heartbeatElapsed++;
        r.electionElapsed++;
        if (r.electionElapsed >= r.cfg.electionTicks()) {
            r.electionElapsed = 0;
            if (r.cfg.checkQuorum()) {
                checkQuorum();
                if (r.role != Role.LEADER) {
                    return;
                }
            }
            leadTransferee = 0; // a transfer not done within an election timeout is abandoned
        }
        if (r.heartbeatElapsed >= r.cfg.heartbeatTicks()) {
            r.heartbeatElapsed = 0;
            // every heartbeat carries the newest read round, so a lost acknowledgement is retried here
            if (!reads.startRoundIfIdle()) {
                replicator.bcastHeartbeat(reads.lastRoundId());
            }
        }
    }

    private void checkQuorum() {
        Progress self = r.tracker.get(r.id);
        if (self != null) {
            self.recentActive = true;
        }
        if (!r.tracker.quorumActive()) {
            r.becomeFollower(r.term, 0);
            return;
        }
        for (Map.Entry<Long, Progress> e : r.tracker.progress().entrySet()) {
            if (e.getKey() != r.id) {
                e.getValue().recentActive = false;
            }
        }
    }

    // ---- proposals -----------------------------------------------------------------------------

    void propose(List<Entry> entries) {
        if (r.tracker.get(r.id) == null || !r.tracker.isVoter(r.id)) {
            throw new ProposalRefusedException(Reason.NOT_MEMBER, "leader " + r.id + " is no longer a voter");
        }
        if (leadTransferee != 0) {
            throw new ProposalRefusedException(
                    Reason.TRANSFER_IN_PROGRESS, "leadership is moving to " + leadTransferee);
        }
        if (entries.isEmpty()) {
            throw new ProposalRefusedException(Reason.INVALID, "empty proposal");
        }
        long sizeBytes = 0;
        int confChanges = 0;
        for (Entry e : entries) {
            if (e.data().length > r.cfg.maxEntrySizeBytes()) {
                throw new ProposalRefusedException(
                        Reason.INVALID, "entry of " + e.data().length + " bytes exceeds " + r.cfg.maxEntrySizeBytes());
            }
            sizeBytes += e.data().length;
            if (e.type() == EntryType.CONF_CHANGE) {
                if (++confChanges > 1) {
                    throw new ProposalRefusedException(Reason.CONF_CHANGE_PENDING, "one membership change at a time");
                }
                r.membership.validateProposal(RaftCodec.decodeConfChange(e.data()));
            }
        }
        if (uncommittedSizeBytes > 0 && uncommittedSizeBytes + sizeBytes > r.cfg.maxUncommittedBytes()) {
            throw new ProposalRefusedException(Reason.OVERLOADED, uncommittedSizeBytes + " uncommitted bytes already");
        }
        long index = r.log.lastIndex();
        List<Entry> placed = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            index++;
            placed.add(e.at(r.term, index));
            if (e.type() == EntryType.CONF_CHANGE) {
                pendingConfIndex = index;
            }
        }
        r.log.append(placed);
        uncommittedSizeBytes += sizeBytes;
        replicator.bcastAppend();
    }

    /** Committed entries were handed to the application: they no longer count as uncommitted. */
    void reduceUncommitted(List<Entry> committed) {
        long s = 0;
        for (Entry e : committed) {
            s += e.data().length;
        }
        uncommittedSizeBytes = Math.max(0, uncommittedSizeBytes - s);
    }

    /** Our own log became durable up to {@code index}: count our copy. */
    void onStable() {
        Progress self = r.tracker.get(r.id);
        if (self != null && self.maybeUpdate(stableIndex()) && maybeCommit()) {
            onCommitAdvanced();
        }
    }

    private boolean maybeCommit() {
        return r.log.maybeCommit(r.tracker.committedIndex(), r.term);
    }

    private void onCommitAdvanced() {
        reads.startRoundIfIdle(); // the first commit of our term may release waiting reads
        replicator.bcastAppend();
    }

    // ---- responses -----------------------------------------------------------------------------

    void step(Message m) {
        Progress pr = r.tracker.get(m.from());
        if (pr == null || m.from() == r.id) {
            return; // not (or no longer) a member
        }
        switch (m) {
            case AppendResponse a -> handleAppendResponse(a, pr);
            case HeartbeatResponse h -> handleHeartbeatResponse(h, pr);
            default -> {}
        }
    }

    private void handleAppendResponse(AppendResponse m, Progress pr) {
        pr.recentActive = true;
        long lastIndex = r.log.lastIndex();
        if (m.index() > lastIndex) {
            return; // refers to entries we never sent
        }
        if (m.reject()) {
            long probe = Math.min(m.hintIndex(), lastIndex);
            if (m.hintTerm() > 0) {
                probe = r.log.findConflictByTerm(probe, m.hintTerm());
            }
            if (pr.maybeDecrTo(m.index(), probe)) {
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                replicator.sendAppend(m.from());
            }
            return;
        }
        boolean oldPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.index())) {
            return;
        }
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match >= pr.pendingSnapshot) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights.freeLE(m.index());
        }
        if (maybeCommit()) {
            onCommitAdvanced();
        } else if (oldPaused) {
            replicator.sendAppend(m.from()); // it may be missing our commit index
        }
        while (replicator.maybeSendAppend(m.from(), false)) {
            // fill the inflight window
        }
        if (m.from() == leadTransferee && pr.match == r.log.lastIndex()) {
            replicator.sendTimeoutNow(m.from());
        }
        handOverIfRemoved();
    }

    private void handleHeartbeatResponse(HeartbeatResponse m, Progress pr) {
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state == ProgressState.REPLICATE && pr.inflights.full()) {
            pr.inflights.freeFirstOne();
        }
        if (pr.match < r.log.lastIndex()) {
            replicator.sendAppend(m.from());
        }
        if (m.readRound() > pr.readAckRound) {
            pr.readAckRound = m.readRound();
            reads.checkReads();
        }
    }

    void reportUnreachable(long id) {
        Progress pr = r.tracker.get(id);
        if (pr != null && pr.state == ProgressState.REPLICATE) {
            pr.becomeProbe();
        }
    }

    void reportSnapshot(long id, boolean success) {
        Progress pr = r.tracker.get(id);
        if (pr == null || pr.state != ProgressState.SNAPSHOT) {
            return;
        }
        if (!success) {
            pr.pendingSnapshot = 0;
        }
        pr.becomeProbe();
        pr.probeSent = true; // wait for the follower's answer, or a heartbeat, before the next append
    }

    // ---- leadership transfer -------------------------------------------------------------------

    void transfer(long transferee) {
        if (transferee == r.id) {
            return;
        }
        Progress pr = r.tracker.get(transferee);
        if (pr == null || !r.tracker.isVoter(transferee)) {
            throw new ProposalRefusedException(Reason.INVALID, "cannot transfer leadership to non-voter " + transferee);
        }
        if (leadTransferee == transferee) {
            return;
        }
        r.electionElapsed = 0; // the transfer must finish within an election timeout
        leadTransferee = transferee;
        if (pr.match == r.log.lastIndex()) {
            replicator.sendTimeoutNow(transferee);
        } else {
            replicator.sendAppend(transferee);
        }
    }

    /** The membership changed while we lead. */
    void onConfigChanged() {
        if (leadTransferee != 0 && !r.tracker.isVoter(leadTransferee)) {
            leadTransferee = 0;
        }
        if (maybeCommit()) {
            onCommitAdvanced();
        } else {
            replicator.bcastAppend();
        }
        if (r.role == Role.LEADER) {
            reads.checkReads();
            handOverIfRemoved();
        }
    }

    /**
     * A leader that applied its own removal keeps replicating (refusing proposals) until a remaining voter
     * holds its whole log, then tells that voter to campaign and steps down. Stepping down earlier could
     * leave the remaining voters unable to learn that the removal committed: they would still need the
     * removed member's vote, which it refuses to a candidate with a shorter log. If it loses leadership
     * before the hand-over, it may campaign again (see {@link Raft#handoverCampaignsLeft}) to finish it.
     */
    private void handOverIfRemoved() {
        if (r.tracker.isVoter(r.id)) {
            return;
        }
        for (long voter : r.tracker.config().voters()) {
            Progress pr = r.tracker.get(voter);
            if (pr != null && pr.match == r.log.lastIndex()) {
                replicator.sendTimeoutNow(voter);
                r.handoverCampaignsLeft = 0;
                r.becomeFollower(r.term, 0);
                return;
            }
        }
    }
}
