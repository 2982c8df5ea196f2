package io.etcdj.server.node;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.internal.MemberRecord;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.raft.Status;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.Fatal;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.lease.LeaseIdGenerator;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.wal.WriteAheadLog;
import io.etcdj.server.watch.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of a raft group: the {@link Consensus} the services use, on the raft core. One thread, {@code raft-node},
 * owns the {@link RaftNode}, the write-ahead log and its {@link WalStorage}; it takes ticks, peer messages, client
 * proposals and control tasks from the {@link Inbox}, and handles each {@link Ready} as its contract says (the
 * {@link Driver}); committed entries go to the {@link ApplyLoop} ({@code raft-apply}). A single member runs the same
 * path as a group of one. This class is the member's face: it starts and stops the member, takes the services' and
 * the transport's requests, and fails the member when the driver or the applier cannot go on.
 *
 * <p>Writes: {@link #propose} gives the command a request ID, registers a waiter under it, and queues it
 * ({@link Proposals}); the core appends it (on the leader) or forwards it to the leader; the waiter completes when
 * the entry is applied here. Reads: {@link #readBarrier} joins a batched ReadIndex round ({@link LinearizableReads}).
 *
 * <p>Scheduling ({@link Scheduling}): in production both loops run on their own threads; in the whole-member
 * simulation no thread is started and the simulation calls {@link #runDriverStep} and {@link #runApplyStep}, which run
 * one turn of the same loop bodies.
 */
public final class RaftMember implements Consensus, Transport.Peers {
    private static final Logger LOG = LoggerFactory.getLogger(RaftMember.class);
    /** etcd refuses writes while the applied index lags the committed one by more than this. */
    static final long MAX_APPLY_LAG_ENTRIES = 5000;

    private final RaftSettings settings;
    /** This member's ID in the raft core (see {@link RaftIds}). */
    private final long raftId;

    private final Transport transport;
    private final MemberRegistry registry;
    private final MemberHooks hooks;
    private final Ticker ticker;
    /** Driver thread only. */
    private final SnapshotIntake snapshots;

    private final LeaderPromotion promotion;
    private final Inbox inbox = new Inbox();
    /** What the driver last saw of the core; written by the driver thread, read by anyone. */
    private final CoreView view;

    private final Proposals proposals;
    private final LinearizableReads reads;
    private final IndexWaiters appliedWaiters = new IndexWaiters();
    /** Driver thread only. */
    private final Transfers transfers = new Transfers();
    /** Raises the NOSPACE alarm when the log's disk is full (see its threads). */
    private final NoSpaceAlarm noSpaceAlarm;
    /** Whether {@link MemberHooks#removed} was called (once). */
    private final AtomicBoolean removedReported = new AtomicBoolean();
    /** Driver thread only: touched here in the tasks this class posts to the inbox (and before the driver starts). */
    private final RaftNode node;
    /** Driver thread only, as {@link #node}. */
    private final WalStorage storage;

    private final ApplyLoop applyLoop;
    /** The driver's loop; it runs on {@link #driverThread}, or in {@link #runDriverStep}. */
    private final Driver driver;
    /** The driver thread; null when the member is stepped ({@link Scheduling#stepped}). */
    private final Thread driverThread;
    /** Set once, when the member stops or fails; then every request is refused. */
    private volatile boolean stopped;
    /** Completed once, by the first fatal failure of the driver or the applier (never by a requested stop). */
    private final CompletableFuture<Fatal.Report> failure = new CompletableFuture<>();

    /**
     * What a member runs on.
     *
     * @param checkpoints where snapshots of the store are made (null: the store is only flushed, and lagging
     *                    followers cannot be sent a snapshot)
     * @param scheduling  own threads (production) or stepped by a simulation
     */
    public record Parts(
            WriteAheadLog wal,
            MvccStore store,
            Applier applier,
            MemberRegistry registry,
            Transport transport,
            MemberHooks hooks,
            Ticker ticker,
            Checkpoints checkpoints,
            Scheduling scheduling) {
        /** Parts of a member that runs its own threads. */
        public Parts(
                WriteAheadLog wal,
                MvccStore store,
                Applier applier,
                MemberRegistry registry,
                Transport transport,
                MemberHooks hooks,
                Ticker ticker,
                Checkpoints checkpoints) {
            this(wal, store, applier, registry, transport, hooks, ticker, checkpoints, Scheduling.threads());
        }
    }

    private RaftMember(RaftSettings settings, Parts parts, long startMillis, SnapshotMetadata installed)
            throws IOException {
        WriteAheadLog wal = parts.wal();
        MvccStore store = parts.store();
        MemberRegistry registry = parts.registry();
        Checkpoints checkpoints = parts.checkpoints();
        this.settings = settings;
        this.raftId = RaftIds.of(settings.memberId());
        this.transport = parts.transport();
        this.registry = registry;
        this.hooks = parts.hooks();
        this.ticker = parts.ticker();
        this.snapshots = new SnapshotIntake(store, checkpoints, hooks);
        this.promotion = new LeaderPromotion(hooks);
        LeaseIdGenerator requestIds = new LeaseIdGenerator(settings.memberId(), startMillis);
        this.noSpaceAlarm = new NoSpaceAlarm(settings.memberId(), raftId, transport, requestIds::next);
        this.storage =
                WalStorage.open(wal, store.consistentIndex(), registry.members().confState(), installed);
        Scheduling scheduling = parts.scheduling();
        // drawn before the core's randomness is split off, as ever: a seed replays the same member
        ReadRounds rounds = new ReadRounds(scheduling.random().nextLong());
        RaftConfig cfg = RaftConfig.builder(raftId, storage, scheduling.random().split())
                .electionTicks(settings.electionTicks())
                .heartbeatTicks(1)
                .preVote(settings.preVote())
                .maxEntrySizeBytes(Math.max(settings.maxRequestBytes() + 1024L, 1L << 20))
                .build();
        this.node = new RaftNode(cfg);
        this.view = new CoreView(node.hardState().term(), node.hardState().commit());
        this.reads = new LinearizableReads(rounds, node, settings, appliedWaiters, inbox);
        ProposalWaiters waiters = new ProposalWaiters();
        this.proposals = new Proposals(settings, inbox, waiters, requestIds, view, node);
        if (checkpoints != null && store.consistentIndex() > 0) {
            // the snapshot raft starts with (the store as it is) must be there to send to a lagging follower
            checkpoints.create(
                    store,
                    store.consistentIndex(),
                    storage.snapshot().metadata().term());
        }
        this.applyLoop = new ApplyLoop(
                parts.applier(),
                store,
                registry,
                waiters,
                appliedWaiters,
                settings.snapshotCount(),
                checkpoints,
                new ApplyEvents(),
                scheduling.ownThreads());
        this.driver = new Driver(
                settings,
                node,
                storage,
                noSpaceAlarm,
                inbox,
                view,
                proposals,
                reads,
                transfers,
                snapshots,
                applyLoop,
                transport,
                registry,
                promotion,
                () -> stopped,
                this::fail);
        this.driverThread = scheduling.ownThreads()
                ? Thread.ofPlatform().name("raft-node").daemon().unstarted(driver::run)
                : null;
        if (driverThread != null) {
            inbox.setDriver(driverThread);
        }
    }

    /**
     * Starts a member over {@code wal} and {@code store} (the log replays from the store's consistent index).
     *
     * @param startMillis wall-clock time of the start, read once by the caller (request IDs start from it)
     * @param installed   the last snapshot installed into the store, or null
     */
    public static RaftMember start(RaftSettings settings, Parts parts, long startMillis, SnapshotMetadata installed)
            throws IOException {
        RaftMember m = new RaftMember(settings, parts, startMillis, installed);
        m.begin();
        return m;
    }

    private void begin() {
        transport.start(this);
        transport.membersChanged(registry.members());
        var voters = node.confState().voters();
        if (voters.size() == 1 && voters.contains(raftId)) {
            node.campaign(); // a group of one need not wait for an election timeout
        } else {
            for (int i = 0; i < settings.electionTicks() - 1; i++) {
                node.tick(); // the first election comes one tick after start, not a whole timeout later
            }
        }
        if (driverThread != null) {
            driverThread.start();
        }
        ticker.every(Duration.ofMillis(settings.heartbeatMs()), inbox::tick);
    }

    // ---- the services' side -----------------------------------------------------------------------

    @Override
    public CompletableFuture<Object> propose(LogCommand command) {
        if (stopped) {
            return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
        }
        if (driver.diskFull()) {
            return CompletableFuture.failedFuture(EtcdError.NO_SPACE.exception());
        }
        if (view.commitIndex() - applyLoop.appliedIndex() > MAX_APPLY_LAG_ENTRIES) {
            return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        return proposals.propose(command);
    }

    /**
     * Proposes a membership change for {@code member}; completes with the {@link MemberRegistry.Members} after it is
     * applied here, or fails with the etcd error for a refusal.
     */
    public CompletableFuture<Object> proposeConfChange(ConfChangeType type, MemberRecord member) {
        if (stopped) {
            return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
        }
        return proposals.proposeConfChange(type, member);
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        if (stopped) {
            return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
        }
        return reads.join();
    }

    @Override
    public CompletableFuture<Void> moveLeader(long transferee) {
        if (status().leaderId() != settings.memberId()) {
            return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
        }
        var m = registry.members().get(transferee);
        if (m == null || m.learner()) {
            return CompletableFuture.failedFuture(EtcdError.BAD_LEADER_TRANSFEREE.exception());
        }
        if (transferee == settings.memberId()) {
            return CompletableFuture.completedFuture(null);
        }
        return transferLeadership(transferee);
    }

    /**
     * Hands leadership to {@code transferee}; completes once it leads, or fails ("bad leader transferee", "request
     * timed out, leader transfer took too long", ...).
     */
    public CompletableFuture<Void> transferLeadership(long transferee) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!inbox.offerRequest(() -> transfers.start(
                node, RaftIds.of(transferee), done, view.tickCount() + settings.requestTimeoutTicks()))) {
            done.completeExceptionally(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        return done;
    }

    /** The core's status (with per-member progress when this member leads), read on the driver thread. */
    public CompletableFuture<Status> raftStatus() {
        CompletableFuture<Status> f = new CompletableFuture<>();
        if (!inbox.offerRequest(() -> f.complete(node.status()))) {
            f.completeExceptionally(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        return f;
    }

    /** How far each member's log is, as the leader sees it (see {@link Replication}); read on the driver thread. */
    public CompletableFuture<Replication> replication() {
        return raftStatus()
                .thenApply(s -> Replication.of(s, raftId -> registry.members().memberId(raftId)));
    }

    @Override
    public ConsensusStatus status() {
        long leader = view.leaderId();
        return new ConsensusStatus(
                leader == 0 ? 0 : registry.members().memberId(leader),
                view.term(),
                view.commitIndex(),
                applyLoop.appliedIndex(),
                view.learner());
    }

    /** Proposals made on this member and not yet applied or failed. */
    public int pendingProposals() {
        return proposals.pending();
    }

    /** Whether this member knows a leader now. */
    public boolean hasLeader() {
        return view.leaderId() != 0;
    }

    /** This member's ID. */
    public long id() {
        return settings.memberId();
    }

    /** Completes once this member has applied up to {@code index}. */
    public CompletableFuture<Void> awaitApplied(long index) {
        return appliedWaiters.await(index);
    }

    // ---- the transport's side ---------------------------------------------------------------------

    @Override
    public void receive(Message m) {
        noSpaceAlarm.observe(m);
        if (!stopped && !inbox.offerMessage(m)) {
            LOG.debug("inbox full: dropped a message from {}", Long.toHexString(m.from()));
        }
    }

    @Override
    public void reportUnreachable(long memberId) {
        inbox.reportUnreachable(memberId);
    }

    @Override
    public void reportSnapshot(long memberId, boolean ok) {
        inbox.post(() -> node.reportSnapshot(memberId, ok));
    }

    @Override
    public void receiveSnapshot(Message.SnapshotRequest m, Path dir) {
        inbox.post(() -> {
            snapshots.received(m, dir);
            node.step(m);
        });
    }

    @Override
    public void removedFromCluster() {
        if (removedReported.compareAndSet(false, true)) {
            hooks.removed();
        }
    }

    // ---- the driver thread ------------------------------------------------------------------------

    /**
     * Stepped members only ({@link Scheduling#stepped}): runs one turn of the driver loop if anything reached the
     * inbox since the last turn (what the driver thread would have woken for); returns whether a turn ran.
     */
    public boolean runDriverStep() {
        if (driverThread != null) {
            throw new IllegalStateException("this member runs its own driver thread");
        }
        if (stopped || !inbox.takeSignal()) {
            return false;
        }
        driver.turnOrFail();
        return true;
    }

    /** Stepped members only: applies the next batch of committed entries, if any; returns whether it did. */
    public boolean runApplyStep() {
        if (driverThread != null) {
            throw new IllegalStateException("this member runs its own apply thread");
        }
        return applyLoop.step();
    }

    /** Whether the log's disk is full now (writes are refused with NOSPACE until it has space again). */
    public boolean diskFull() {
        return driver.diskFull();
    }

    /** What the apply thread reports. */
    private final class ApplyEvents implements ApplyLoop.Events {
        @Override
        public void snapshotTaken(SnapshotMetadata meta) {
            inbox.post(() -> {
                try {
                    storage.compact(meta, meta.index() - settings.snapshotCatchUpEntries());
                } catch (IOException e) {
                    fail("releasing the write-ahead log failed", e);
                }
            });
        }

        @Override
        public void membershipApplied(ConfChange change) {
            transport.membersChanged(registry.members());
            if (change.type() == ConfChangeType.REMOVE && change.nodeId() == raftId) {
                removedFromCluster();
            }
        }

        @Override
        public void applied(long index) {
            promotion.applied(index);
        }

        @Override
        public void failed(String what, Throwable cause) {
            fail(what, cause);
        }
    }

    /** Whether this member's lessor is promoted (it leads and has applied its own term's first entry). */
    public boolean isPromoted() {
        return promotion.isPromoted();
    }

    /**
     * This member cannot make progress: every request is refused from now on, and {@link #failure()} completes with
     * {@code what} (what happened and what to do) and its cause. The owner of the process reports it and stops.
     */
    private void fail(String what, Throwable cause) {
        boolean first = failure.complete(
                new Fatal.Report(what, cause, Thread.currentThread().getName()));
        stopped = true;
        inbox.wake(); // the driver, if it is not the one that failed, ends its loop
        if (first) {
            try {
                LOG.debug("member failure", cause);
            } catch (Throwable ignored) {
                // logging may fail too (out of memory); the failure is recorded
            }
        }
        failWaiters();
    }

    /** Completes when this member fails (not when it is closed): it stopped serving, and the process should end. */
    public CompletableFuture<Fatal.Report> failure() {
        return failure;
    }

    private void failWaiters() {
        proposals.failAll();
        appliedWaiters.failAll(EtcdError.STOPPED.exception());
    }

    /** Stops: no more requests, the driver ends, the applier finishes what is committed, waiters fail. */
    @Override
    public void close() {
        stopped = true;
        ticker.close();
        inbox.wake();
        if (driverThread != null) {
            try {
                driverThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
        applyLoop.close();
        reads.failAll(EtcdError.STOPPED);
        transfers.failAll();
        failWaiters();
        snapshots.clear();
    }
}
