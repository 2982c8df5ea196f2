package io.etcdj.server.node;

import io.etcdj.raft.Message;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Role;
import io.etcdj.raft.SoftState;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.metrics.ServerMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raft driver: the loop of the {@code raft-node} thread (or, in a stepped member, of each driver step), which
 * alone touches the raft core, the write-ahead log's {@link WalStorage} and the snapshots received. A turn takes
 * ticks, control tasks, unreachable reports, peer messages, queued proposals and a read round from the
 * {@link Inbox}, then handles each {@link Ready} as its contract says: send the early messages (a leader's appends,
 * forwarded requests), install a snapshot, append the entries and hard state with one fsync (group commit), send the
 * other messages, answer confirmed reads, hand committed entries to the {@link ApplyLoop}, and advance; what it sees
 * of the core it publishes in the {@link CoreView}. A failure ends the loop and fails the member, with what to do.
 *
 * <p>Threads: the driver thread only, but {@link #diskFull}.
 */
final class Driver {
    /** The member's logger: these lines read as they did when the member drove itself (short log names). */
    private static final Logger LOG = LoggerFactory.getLogger(RaftMember.class);

    private final RaftSettings settings;
    /** This member's ID in the raft core. */
    private final long raftId;

    private final RaftNode node;
    private final WalStorage storage;
    private final LogAppender appender;
    private final Inbox inbox;
    private final CoreView view;
    private final Proposals proposals;
    private final LinearizableReads reads;
    private final Transfers transfers;
    private final SnapshotIntake snapshots;
    private final ApplyLoop applyLoop;
    private final Transport transport;
    private final MemberRegistry registry;
    private final LeaderPromotion promotion;
    /** Whether the member stopped or failed: the loop ends. */
    private final BooleanSupplier stopped;
    /** Fails the member with what happened and what to do, and the cause. */
    private final BiConsumer<String, Throwable> fail;
    /** Scratch list of one turn. */
    private final List<Message> turnMessages = new ArrayList<>();

    Driver(
            RaftSettings settings,
            RaftNode node,
            WalStorage storage,
            NoSpaceAlarm noSpaceAlarm,
            Inbox inbox,
            CoreView view,
            Proposals proposals,
            LinearizableReads reads,
            Transfers transfers,
            SnapshotIntake snapshots,
            ApplyLoop applyLoop,
            Transport transport,
            MemberRegistry registry,
            LeaderPromotion promotion,
            BooleanSupplier stopped,
            BiConsumer<String, Throwable> fail) {
        this.settings = settings;
        this.raftId = RaftIds.of(settings.memberId());
        this.node = node;
        this.storage = storage;
        this.appender = new LogAppender(storage, noSpaceAlarm, view, node, stopped);
        this.inbox = inbox;
        this.view = view;
        this.proposals = proposals;
        this.reads = reads;
        this.transfers = transfers;
        this.snapshots = snapshots;
        this.applyLoop = applyLoop;
        this.transport = transport;
        this.registry = registry;
        this.promotion = promotion;
        this.stopped = stopped;
        this.fail = fail;
    }

    /** The {@code raft-node} thread's body: a turn each time the inbox signals, until the member stops or fails. */
    void run() {
        while (!stopped.getAsBoolean()) {
            inbox.await();
            if (!turnOrFail()) {
                return;
            }
        }
    }

    /** One turn of the driver loop; false when it failed (the member is stopped then). */
    boolean turnOrFail() {
        try {
            turn();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!stopped.getAsBoolean()) {
                fail.accept("the raft driver thread was interrupted; restart the member", e);
            }
        } catch (SnapshotIntake.InstallFailure e) {
            fail.accept(
                    e.getMessage()
                            + ". Check the disk under --data-dir, then restart the member: it finishes an install"
                            + " a crash cut short, or the leader sends the snapshot again",
                    e);
        } catch (IOException e) {
            fail.accept(
                    "writing the write-ahead log failed; nothing after the failed write was acknowledged. Check the"
                            + " disk under --data-dir (or --wal-dir), then restart the member: it reads back what is really on"
                            + " disk",
                    e);
        } catch (Throwable e) { // a RuntimeException is a bug; an Error (out of memory, ...) leaves the JVM unknown
            fail.accept(
                    "the raft driver failed (" + e.getClass().getSimpleName() + "); restart the member (with a larger"
                            + " heap, -Xmx in ETCDJ_JAVA_OPTS, if it ran out of memory); the log replays from the last"
                            + " applied entry",
                    e);
        }
        return false;
    }

    /** Any thread: whether the log's disk is full now (writes are refused with NOSPACE until it has space again). */
    boolean diskFull() {
        return appender.diskFull();
    }

    /** One turn: ticks, tasks, unreachable reports, peer messages, proposals, a read round, then every Ready. */
    private void turn() throws IOException, InterruptedException {
        int ticks = inbox.takeTicks();
        for (int i = 0; i < ticks; i++) {
            node.tick();
        }
        if (ticks > 0) {
            onTicks(ticks);
        }
        Runnable task;
        while ((task = inbox.pollTask()) != null) {
            task.run();
        }
        inbox.drainUnreachable(node::reportUnreachable);
        turnMessages.clear();
        inbox.drainMessages(turnMessages, Inbox.MAX_MESSAGES);
        for (Message m : turnMessages) {
            node.step(m);
        }
        if (!waitingForLeader()) {
            proposals.proposeQueued();
            reads.start(view.tickCount());
        }
        while (node.hasReady() && !stopped.getAsBoolean()) {
            handleReady(node.ready());
        }
        if (inbox.hasProposals() && !waitingForLeader()) {
            inbox.wake(); // more than one batch was waiting
        }
    }

    private void onTicks(int ticks) {
        long now = view.ticked(ticks);
        proposals.expire(now);
        reads.ticked(now);
        transfers.expire(now);
    }

    /**
     * Whether requests should wait in the inbox for a leader rather than be refused: for up to two election timeouts
     * after the leader was lost (an election usually ends within one), so that clients see a pause, not an error.
     */
    private boolean waitingForLeader() {
        return view.leaderId() == 0
                && !node.softState().role().equals(Role.LEADER)
                && view.ticksWithoutLeader() < 2L * settings.electionTicks();
    }

    private void handleReady(Ready rd) throws IOException, InterruptedException {
        if (rd.hardState() != null) {
            view.term(rd.hardState().term()); // before the leader: whoever sees the new leader sees its term
        }
        if (rd.softState() != null) {
            onSoftState(rd.softState());
        }
        transport.send(rd.earlyMessages());
        if (rd.snapshot() != null) {
            snapshots.install(rd.snapshot().metadata(), applyLoop, storage);
        }
        appender.append(rd);
        if (rd.mustSync()) {
            storage.sync();
        }
        transport.send(rd.messages());
        reads.confirmed(rd.readStates());
        if (!rd.committedEntries().isEmpty()) {
            applyLoop.submit(rd.committedEntries());
        }
        node.advance(rd);
        view.advanced(
                node.hardState().term(),
                node.hardState().commit(),
                node.confState().learners().contains(raftId));
        snapshots.committed(
                view.commitIndex()); // after this Ready's install: what is left at or below it is never installed
    }

    private void onSoftState(SoftState ss) {
        long oldLeader = view.leaderId();
        Role oldRole = view.role();
        view.softState(ss);
        if (ss.leader() != oldLeader) {
            if (oldLeader != 0) {
                reads.leaderChanged();
            }
            if (ss.leader() != 0) {
                ServerMetrics.leaderChanged();
            }
            LOG.info(
                    "raft: member {} {} at term {}",
                    Long.toHexString(settings.memberId()),
                    ss.leader() == 0
                            ? "lost its leader"
                            : "elected leader "
                                    + Long.toHexString(registry.members().memberId(ss.leader())),
                    node.hardState().term());
            transfers.leaderIs(ss.leader());
        }
        if (ss.role() == Role.LEADER && oldRole != Role.LEADER) {
            promotion.becameLeader(node.lastIndex()); // the new leader's own first entry
        } else if (oldRole == Role.LEADER && ss.role() != Role.LEADER) {
            promotion.lostLeadership();
        }
    }
}
