package io.etcdj.raft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One Raft member, driven by its caller: a pure, single-threaded state machine with no I/O, no threads
 * and no clock. Time enters through {@link #tick()}, the network through {@link #step(Message)}, clients
 * through {@link #propose}, {@link #readIndex} and {@link #transferLeadership}; everything the member
 * wants done comes out as a {@link Ready} batch whose handling contract is written on {@link Ready}.
 *
 * <p>Typical driver loop:
 * <pre>{@code
 * node.tick();                         // every tick interval
 * node.step(message);                  // for each message received
 * while (node.hasReady()) {
 *     Ready rd = node.ready();
 *     send(rd.earlyMessages());       // may overlap with the write below
 *     persist(rd);                     // snapshot, entries, hard state; fsync if rd.mustSync()
 *     send(rd.messages());
 *     apply(rd.committedEntries());    // and serve rd.readStates()
 *     node.advance(rd);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one thread owns a node. Inputs from unknown members, stale terms or out-of-range
 * indexes are handled as Raft prescribes and never throw; a broken internal invariant throws
 * {@link IllegalStateException} naming it.
 */
public final class RaftNode {
    private final Raft raft;
    private SoftState prevSoftState;
    private HardState prevHardState;
    /** The batch handed out and not yet advanced, or null. */
    private Ready outstanding;

    /** Creates a member from its configuration; it restarts from whatever {@code cfg.storage()} holds. */
    public RaftNode(RaftConfig cfg) {
        this.raft = new Raft(cfg);
        this.prevSoftState = raft.softState();
        this.prevHardState = cfg.storage().initialState().hardState();
    }

    /**
     * The entries every founding member writes to its empty log before its first start: one
     * {@link ConfChangeType#ADD_VOTER} per voter at indexes 1..n, term 1. Persist them with
     * {@link #bootstrapHardState(int)}. Members that join later start with an empty log instead.
     */
    public static List<Entry> bootstrapEntries(Collection<Long> voters) {
        List<Entry> out = new ArrayList<>();
        long index = 1;
        for (long id : new TreeSet<>(voters)) {
            out.add(new Entry(
                    1,
                    index++,
                    EntryType.CONF_CHANGE,
                    RaftCodec.encodeConfChange(ConfChange.of(ConfChangeType.ADD_VOTER, id))));
        }
        return out;
    }

    /** The hard state that goes with {@link #bootstrapEntries}: term 1, no vote, all of them committed. */
    public static HardState bootstrapHardState(int voterCount) {
        return new HardState(1, 0, voterCount);
    }

    /** Writes the founding entries and hard state into an empty memory storage. */
    public static void bootstrap(MemoryStorage storage, Collection<Long> voters) {
        if (storage.lastIndex() != 0) {
            throw new IllegalStateException("bootstrap needs an empty storage, last index is " + storage.lastIndex());
        }
        List<Entry> entries = bootstrapEntries(voters);
        storage.append(entries);
        storage.setHardState(bootstrapHardState(entries.size()));
    }

    /** This member's id. */
    public long id() {
        return raft.id;
    }

    /** Advances logical time by one tick (elections, heartbeats, CheckQuorum, transfer timeout). */
    public void tick() {
        raft.tick();
    }

    /** Feeds a message from the network. Messages addressed to another member are ignored. */
    public void step(Message m) {
        raft.step(m);
    }

    /** Starts an election now, as if the election timeout had elapsed (no-op for a leader or a non-voter). */
    public void campaign() {
        raft.hup(false);
    }

    /**
     * Proposes one application entry.
     *
     * @throws ProposalRefusedException if this member cannot accept it (no leader, not forwarding, ...)
     */
    public void propose(byte[] data) {
        raft.propose(List.of(new Entry(0, 0, EntryType.NORMAL, data)));
    }

    /**
     * Proposes several application entries as one batch (one append, one forward).
     *
     * @throws ProposalRefusedException if this member cannot accept them
     */
    public void propose(List<byte[]> batch) {
        List<Entry> entries = new ArrayList<>(batch.size());
        for (byte[] data : batch) {
            entries.add(new Entry(0, 0, EntryType.NORMAL, data));
        }
        raft.propose(entries);
    }

    /**
     * Proposes a membership change. On the leader it is checked against the rules at once; on a follower it
     * is forwarded and checked by the leader (which silently drops an invalid one).
     *
     * @throws ProposalRefusedException if refused here
     */
    public void proposeConfChange(ConfChange cc) {
        raft.propose(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, RaftCodec.encodeConfChange(cc))));
    }

    /**
     * Asks for a linearizable read identified by {@code context}; a {@link ReadState} with the same context
     * comes out in a later Ready (unless leadership changes first: then the caller times out and retries).
     *
     * @throws ProposalRefusedException if no leader is known or too many reads are pending
     */
    public void readIndex(byte[] context) {
        raft.readIndex(context);
    }

    /**
     * Asks the leader to hand leadership to {@code transferee}, once it has caught up.
     *
     * @throws ProposalRefusedException if no leader is known or the transferee is not a voter
     */
    public void transferLeadership(long transferee) {
        raft.transferLeadership(transferee);
    }

    /** Tells the leader a message to {@code id} could not be delivered (stop pipelining, probe again). */
    public void reportUnreachable(long id) {
        if (raft.role == Role.LEADER) {
            raft.leader.reportUnreachable(id);
        }
    }

    /** Tells the leader whether the snapshot it asked to send to {@code id} was delivered. */
    public void reportSnapshot(long id, boolean success) {
        if (raft.role == Role.LEADER) {
            raft.leader.reportSnapshot(id, success);
        }
    }

    /** Whether {@link #ready()} has anything to hand out (always false while a batch is outstanding). */
    public boolean hasReady() {
        if (outstanding != null) {
            return false;
        }
        UnstableLog u = raft.log.unstable();
        return !raft.outbox.isEmpty()
                || !raft.readStates.isEmpty()
                || !u.entries().isEmpty()
                || u.snapshot() != null
                || raft.log.hasNextCommittedEntries()
                || !raft.softState().equals(prevSoftState)
                || !hardStateNow().equals(prevHardState);
    }

    private HardState hardStateNow() {
        return raft.hardState();
    }

    /**
     * The next batch of work; see {@link Ready} for what the caller must do with it.
     *
     * @throws IllegalStateException if the previous batch has not been advanced
     */
    public Ready ready() {
        if (outstanding != null) {
            throw new IllegalStateException("the previous Ready has not been advanced");
        }
        SoftState soft = raft.softState();
        HardState hard = hardStateNow();
        UnstableLog u = raft.log.unstable();
        List<Entry> entries = List.copyOf(u.entries());
        List<Entry> committed = raft.log.nextCommittedEntries(raft.cfg.maxCommittedSizePerReadyBytes());
        boolean mustSync = !entries.isEmpty()
                || hard.term() != prevHardState.term()
                || hard.vote() != prevHardState.vote()
                || u.snapshot() != null;
        List<Message> early = new ArrayList<>();
        List<Message> late = new ArrayList<>();
        for (Message m : raft.outbox) {
            (mayPrecedePersist(m) ? early : late).add(m);
        }
        Ready rd = new Ready(
                soft.equals(prevSoftState) ? null : soft,
                hard.equals(prevHardState) ? null : hard,
                raft.readStates,
                entries,
                u.snapshot(),
                committed,
                early,
                late,
                mustSync);
        raft.readStates.clear();
        raft.outbox.clear();
        raft.reads.onMessagesHandedOut();
        outstanding = rd;
        return rd;
    }

    /**
     * Whether {@code m} may leave before this batch's entries and hard state are durable: a leader's replication
     * messages (Raft thesis 10.2.1; the leader counts its own copy only after the write), and messages that promise
     * nothing about the sender's log or vote: proposals and read requests forwarded to the leader, the leader's read
     * answers, heartbeat answers. Append answers and votes must wait (they promise durable state), and so must vote
     * requests (the candidate has voted for itself). This is etcd-io/raft's split (only MsgAppResp, MsgVoteResp and
     * MsgPreVoteResp wait for the append there), and it keeps a follower's fsync off the path of the client
     * requests it forwards.
     */
    static boolean mayPrecedePersist(Message m) {
        return m instanceof Message.AppendRequest
                || m instanceof Message.HeartbeatRequest
                || m instanceof Message.SnapshotRequest
                || m instanceof Message.TimeoutNow
                || m instanceof Message.ProposalRequest
                || m instanceof Message.ReadIndexRequest
                || m instanceof Message.ReadIndexResponse
                || m instanceof Message.HeartbeatResponse;
    }

    /**
     * Acknowledges that {@code rd} was persisted, sent and applied: unstable entries become stable, the
     * applied index moves past its committed entries, and their membership changes take effect.
     */
    public void advance(Ready rd) {
        if (rd != outstanding) {
            throw new IllegalArgumentException("advance with a Ready that is not the outstanding one");
        }
        outstanding = null;
        if (rd.softState() != null) {
            prevSoftState = rd.softState();
        }
        if (rd.hardState() != null) {
            prevHardState = rd.hardState();
        }
        if (rd.snapshot() != null) {
            long index = rd.snapshot().metadata().index();
            raft.log.stableSnapTo(index);
            raft.log.appliedSnapshot(index);
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            raft.log.stableTo(last.index(), last.term());
        }
        for (Entry e : rd.committedEntries()) {
            if (e.type() == EntryType.CONF_CHANGE) {
                raft.membership.applyCommitted(e);
            }
            if (e.index() > raft.log.applied()) {
                raft.log.appliedTo(e.index());
            }
        }
        if (raft.role == Role.LEADER) {
            raft.leader.reduceUncommitted(rd.committedEntries());
            raft.leader.onStable();
        } else if (!rd.committedEntries().isEmpty()) {
            raft.onApplied();
        }
    }

    /** The membership in force. */
    public ConfState confState() {
        return raft.tracker.config();
    }

    /** Term, vote and commit as they are now (possibly not yet persisted). */
    public HardState hardState() {
        return hardStateNow();
    }

    /** Leader and role as they are now. */
    public SoftState softState() {
        return raft.softState();
    }

    /** Index of the last entry in this member's log (durable or not). */
    public long lastIndex() {
        return raft.log.lastIndex();
    }

    /** Index of the first entry still in the log. */
    public long firstIndex() {
        return raft.log.firstIndex();
    }

    /** Term of the entry at {@code index}, or 0 if it is compacted away or beyond the log. */
    public long termAt(long index) {
        return raft.log.term(index);
    }

    /** Highest index acknowledged as applied. */
    public long applied() {
        return raft.log.applied();
    }

    /** A snapshot of this member's state, with per-member progress when it leads. */
    public Status status() {
        Map<Long, Status.MemberProgress> progress = new TreeMap<>();
        if (raft.role == Role.LEADER) {
            for (Map.Entry<Long, Progress> e : raft.tracker.progress().entrySet()) {
                Progress pr = e.getValue();
                progress.put(
                        e.getKey(),
                        new Status.MemberProgress(
                                pr.match,
                                pr.next,
                                pr.state,
                                pr.recentActive,
                                pr.isPaused(),
                                pr.learner,
                                pr.inflights.count()));
            }
        }
        return new Status(
                raft.id,
                hardStateNow(),
                raft.softState(),
                raft.log.applied(),
                raft.log.lastIndex(),
                raft.role == Role.LEADER ? raft.leader.leadTransferee : 0,
                raft.tracker.config(),
                progress);
    }
}
