package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.HeartbeatRequest;
import io.etcdj.raft.Message.ProposalRequest;
import io.etcdj.raft.Message.ReadIndexRequest;
import io.etcdj.raft.Message.ReadIndexResponse;
import io.etcdj.raft.Message.SnapshotRequest;
import io.etcdj.raft.Message.TimeoutNow;
import io.etcdj.raft.Message.TransferRequest;
import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;
import io.etcdj.raft.ProposalRefusedException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * The Raft state machine of one member: term and vote, role transitions, elections (with PreVote), the
 * term rules every message goes through, and routing each message to the role that handles it. The
 * follower's side of replication is in {@link Follower}; the leader's in {@link Leader}, {@link Replicator}
 * and {@link LeaderReads}; membership in {@link Membership}. Single-threaded; no I/O; output goes to
 * {@link #outbox} and {@link #readStates}.
 */
final class Raft {
    /** Why an election is started. */
    enum Campaign {
        PRE_ELECTION,
        ELECTION,
        TRANSFER
    }

    final long id;
    final RaftConfig cfg;
    final RaftLog log;
    final ProgressTracker tracker;
    final List<Message> outbox = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    final Replicator replicator;
    final LeaderReads reads;
    final Leader leader;
    final Follower follower;
    final Membership membership;

    long term;
    long vote;
    long lead;
    Role role = Role.FOLLOWER;
    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;
    /** Elections a member that just applied its own removal may still run; see {@link #promotable()}. */
    static final int HANDOVER_CAMPAIGNS = 10;
    /**
     * Elections this member may still run although it is no longer a voter: set when it applies its own
     * removal, cleared when it hears from a leader or hands its log over. The remaining voters may not
     * know yet that the removal committed, and so may still need this member's vote, which it refuses to
     * candidates with a shorter log: by winning once, it can bring them up to date and hand over. Bounded,
     * so that a removed member left running does not campaign forever; kept in memory only.
     */
    int handoverCampaignsLeft;
    /** A TimeoutNow arrived while a committed membership change was unapplied: campaign once it is. */
    private boolean campaignAfterApply;

    Raft(RaftConfig cfg) {
        this.id = cfg.id();
        this.cfg = cfg;
        this.log = new RaftLog(cfg.storage());
        this.tracker = new ProgressTracker(cfg.maxInflightMsgs(), cfg.maxInflightBytes());
        this.replicator = new Replicator(this);
        this.reads = new LeaderReads(this);
        this.leader = new Leader(this);
        this.follower = new Follower(this);
        this.membership = new Membership(this);
        Storage.InitialState init = cfg.storage().initialState();
        HardState hs = init.hardState();
        if (hs.commit() > log.lastIndex()) {
            throw new IllegalStateException(
                    "invariant: persisted commit " + hs.commit() + " beyond last index " + log.lastIndex());
        }
        if (hs.commit() > log.committed()) {
            log.commitTo(hs.commit());
        }
        this.term = hs.term();
        this.vote = hs.vote();
        tracker.setConfig(init.confState(), log.lastIndex() + 1);
        becomeFollower(term, 0);
    }

    HardState hardState() {
        return new HardState(term, vote, log.committed());
    }

    SoftState softState() {
        return new SoftState(lead, role);
    }

    void send(Message m) {
        outbox.add(m);
    }

    // ---- time ----------------------------------------------------------------------------------

    void tick() {
        if (role == Role.LEADER) {
            leader.tick();
            return;
        }
        electionElapsed++;
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0;
            hup(false);
        }
    }

    private void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = cfg.electionTicks() + cfg.random().nextInt(cfg.electionTicks());
    }

    // ---- role transitions ----------------------------------------------------------------------

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = 0;
        }
        lead = 0;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        campaignAfterApply = false;
        resetRandomizedElectionTimeout();
        leader.onReset();
        tracker.resetVotes();
    }

    void becomeFollower(long newTerm, long newLead) {
        reset(newTerm);
        lead = newLead;
        role = Role.FOLLOWER;
    }

    private void becomePreCandidate() {
        if (role == Role.LEADER) {
            throw new IllegalStateException("invariant: leader cannot become pre-candidate");
        }
        tracker.resetVotes();
        lead = 0;
        role = Role.PRE_CANDIDATE;
    }

    private void becomeCandidate() {
        if (role == Role.LEADER) {
            throw new IllegalStateException("invariant: leader cannot become candidate");
        }
        reset(term + 1);
        vote = id;
        role = Role.CANDIDATE;
    }

    private void becomeLeader() {
        if (role != Role.CANDIDATE) {
            throw new IllegalStateException("invariant: only a candidate becomes leader, not a " + role);
        }
        reset(term);
        lead = id;
        role = Role.LEADER;
        leader.onBecomeLeader();
    }

    /** This member may campaign: a voter, or a removed leader finishing its hand-over; never a learner. */
    boolean promotable() {
        return (tracker.isVoter(id) || handoverCampaignsLeft > 0)
                && log.unstable().snapshot() == null;
    }

    /** Committed entries were applied: run a transfer election that had to wait for them. */
    void onApplied() {
        if (campaignAfterApply) {
            campaignAfterApply = false;
            hup(true);
        }
    }

    // ---- elections -----------------------------------------------------------------------------

    /** Starts an election if this member may; {@code transfer} marks one asked for by TimeoutNow. */
    void hup(boolean transfer) {
        if (role == Role.LEADER || !promotable()) {
            return;
        }
        if (membership.hasUnappliedConfChange()) {
            campaignAfterApply = transfer; // the configuration we would campaign under is not final yet
            return;
        }
        if (transfer) {
            campaign(Campaign.TRANSFER);
        } else {
            campaign(cfg.preVote() ? Campaign.PRE_ELECTION : Campaign.ELECTION);
        }
    }

    private void campaign(Campaign kind) {
        if (!tracker.isVoter(id)) {
            handoverCampaignsLeft--;
        }
        long voteTerm;
        if (kind == Campaign.PRE_ELECTION) {
            becomePreCandidate();
            voteTerm = term + 1;
        } else {
            becomeCandidate();
            voteTerm = term;
        }
        tracker.recordVote(id, true);
        if (tracker.voteResult() == ProgressTracker.VoteResult.WON) {
            // a single voter wins at once
            if (kind == Campaign.PRE_ELECTION) {
                campaign(Campaign.ELECTION);
            } else {
                becomeLeader();
            }
            return;
        }
        long lastIndex = log.lastIndex();
        long lastTerm = log.lastTerm();
        for (long voter : tracker.config().voters()) {
            if (voter != id) {
                send(new VoteRequest(
                        id,
                        voter,
                        voteTerm,
                        lastIndex,
                        lastTerm,
                        kind == Campaign.PRE_ELECTION,
                        kind == Campaign.TRANSFER));
            }
        }
    }

    // ---- messages ------------------------------------------------------------------------------

    void step(Message m) {
        if (m.to() != id) {
            return; // misaddressed: not ours to act on
        }
        switch (m) {
            case ProposalRequest p -> stepForwardedProposal(p);
            case ReadIndexRequest r -> stepForwardedRead(r);
            case TransferRequest t -> stepForwardedTransfer(t);
            default -> {
                if (m.term() == 0 || (m instanceof AppendRequest a && a.malformation() != null) || !checkTerm(m)) {
                    return; // a malformed append changes nothing, not even the term
                }
                if (m instanceof VoteRequest v) {
                    handleVoteRequest(v);
                    return;
                }
                if (role != Role.LEADER
                        && (m instanceof AppendRequest
                                || m instanceof HeartbeatRequest
                                || m instanceof SnapshotRequest)) {
                    handoverCampaignsLeft = 0; // a leader exists: nobody needs our vote or log any more
                }
                switch (role) {
                    case LEADER -> leader.step(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    /** Applies Raft's term rules; returns false if the message must not be processed further. */
    private boolean checkTerm(Message m) {
        if (m.term() > term) {
            if (m instanceof VoteRequest v) {
                boolean inLease = cfg.checkQuorum() && lead != 0 && electionElapsed < cfg.electionTicks();
                if (!v.transfer() && inLease) {
                    return false; // we heard from a leader recently: do not let a candidate disrupt it
                }
                if (v.preVote()) {
                    return true; // never change term for a pre-vote
                }
            }
            if (m instanceof VoteResponse r && r.preVote() && !r.reject()) {
                return true; // our pre-vote in a future term was granted; the term changes if we win
            }
            boolean fromLeader =
                    m instanceof AppendRequest || m instanceof HeartbeatRequest || m instanceof SnapshotRequest;
            becomeFollower(m.term(), fromLeader ? m.from() : 0);
            return true;
        }
        if (m.term() < term) {
            if ((cfg.checkQuorum() || cfg.preVote()) && (m instanceof HeartbeatRequest || m instanceof AppendRequest)) {
                // a stale leader (perhaps partitioned away) learns our term and steps down
                send(new AppendResponse(id, m.from(), term, 0, false, 0, 0));
            } else if (m instanceof VoteRequest v && v.preVote()) {
                send(new VoteResponse(id, m.from(), term, true, true));
            }
            return false;
        }
        return true;
    }

    private void handleVoteRequest(VoteRequest m) {
        boolean canVote = vote == m.from() || (vote == 0 && lead == 0) || (m.preVote() && m.term() > term);
        if (canVote && log.isUpToDate(m.lastIndex(), m.lastTerm())) {
            // answer in the request's term: a pre-candidate ignores answers in an older term
            send(new VoteResponse(id, m.from(), m.term(), m.preVote(), false));
            if (!m.preVote()) {
                electionElapsed = 0;
                vote = m.from();
            }
        } else {
            send(new VoteResponse(id, m.from(), term, m.preVote(), true));
        }
    }

    private void stepCandidate(Message m) {
        switch (m) {
            case AppendRequest a -> {
                becomeFollower(m.term(), m.from());
                follower.handleAppend(a);
            }
            case HeartbeatRequest h -> {
                becomeFollower(m.term(), m.from());
                follower.handleHeartbeat(h);
            }
            case SnapshotRequest s -> {
                becomeFollower(m.term(), m.from());
                follower.handleSnapshot(s);
            }
            case VoteResponse r -> {
                if (r.preVote() != (role == Role.PRE_CANDIDATE)) {
                    return; // a stale answer from our pre-candidacy
                }
                tracker.recordVote(r.from(), !r.reject());
                switch (tracker.voteResult()) {
                    case WON -> {
                        if (role == Role.PRE_CANDIDATE) {
                            campaign(Campaign.ELECTION);
                        } else {
                            becomeLeader();
                        }
                    }
                    case LOST -> becomeFollower(term, 0);
                    case PENDING -> {}
                }
            }
            default -> {}
        }
    }

    private void stepFollower(Message m) {
        switch (m) {
            case AppendRequest a -> {
                electionElapsed = 0;
                lead = m.from();
                follower.handleAppend(a);
            }
            case HeartbeatRequest h -> {
                electionElapsed = 0;
                lead = m.from();
                follower.handleHeartbeat(h);
            }
            case SnapshotRequest s -> {
                electionElapsed = 0;
                lead = m.from();
                follower.handleSnapshot(s);
            }
            case TimeoutNow t -> hup(true);
            case ReadIndexResponse r -> readStates.add(new ReadState(r.index(), r.context()));
            default -> {}
        }
    }

    // ---- requests forwarded on behalf of clients ------------------------------------------------

    private void stepForwardedProposal(ProposalRequest m) {
        if (m.entries().isEmpty()) {
            return;
        }
        if (role == Role.LEADER) {
            try {
                leader.propose(m.entries());
            } catch (ProposalRefusedException e) {
                // the follower's client learns by timeout, as it would if the message were lost
            }
        } else if (role == Role.FOLLOWER && lead != 0 && lead != m.from() && cfg.forwardProposals()) {
            send(new ProposalRequest(id, lead, 0, m.entries()));
        }
    }

    private void stepForwardedRead(ReadIndexRequest m) {
        if (role == Role.LEADER) {
            reads.readIndex(m.from(), m.context());
        } else if (role == Role.FOLLOWER && lead != 0 && lead != m.from()) {
            send(new ReadIndexRequest(id, lead, 0, m.context()));
        }
    }

    private void stepForwardedTransfer(TransferRequest m) {
        if (role == Role.LEADER) {
            try {
                leader.transfer(m.transferee());
            } catch (ProposalRefusedException e) {
                // nothing to answer: the requester watches the leader change, or not
            }
        } else if (role == Role.FOLLOWER && lead != 0 && lead != m.from()) {
            send(new TransferRequest(id, lead, 0, m.transferee()));
        }
    }

    // ---- local requests ------------------------------------------------------------------------

    /** Proposes entries (term and index are assigned by the leader). */
    void propose(List<Entry> entries) {
        switch (role) {
            case LEADER -> leader.propose(entries);
            case FOLLOWER -> {
                requireLeader();
                if (!cfg.forwardProposals()) {
                    throw new ProposalRefusedException(
                            Reason.NOT_LEADER,
                            "member " + id + " is not the leader (" + lead + ") and does not forward");
                }
                int last = outbox.size() - 1;
                if (last >= 0
                        && outbox.get(last) instanceof ProposalRequest p
                        && p.to() == lead
                        && p.entries().size() + entries.size() <= 4096) {
                    List<Entry> merged = new ArrayList<>(p.entries());
                    merged.addAll(entries); // batch proposals made between two Ready batches
                    outbox.set(last, new ProposalRequest(id, lead, 0, merged));
                } else {
                    send(new ProposalRequest(id, lead, 0, entries));
                }
            }
            default -> throw new ProposalRefusedException(Reason.NO_LEADER, "member " + id + " is a " + role);
        }
    }

    void readIndex(byte[] context) {
        if (role == Role.LEADER) {
            reads.readIndex(id, context);
            return;
        }
        requireLeader();
        send(new ReadIndexRequest(id, lead, 0, context));
    }

    void transferLeadership(long transferee) {
        if (role == Role.LEADER) {
            leader.transfer(transferee);
            return;
        }
        requireLeader();
        send(new TransferRequest(id, lead, 0, transferee));
    }

    /** A follower about to forward a client request: there must be a leader, and room in the outbox. */
    private void requireLeader() {
        if (role != Role.FOLLOWER || lead == 0) {
            throw new ProposalRefusedException(Reason.NO_LEADER, "member " + id + " knows no leader in term " + term);
        }
        if (outbox.size() >= cfg.maxOutboxMsgs()) {
            throw new ProposalRefusedException(Reason.OVERLOADED, outbox.size() + " messages wait for the next Ready");
        }
    }
}
