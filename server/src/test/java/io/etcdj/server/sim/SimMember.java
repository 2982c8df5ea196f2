package io.etcdj.server.sim;

import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.SimpleTokens;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.checkpoint.SnapshotInstaller;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ForwardingConsensus;
import io.etcdj.server.lease.ConfirmedLeases;
import io.etcdj.server.lease.LeadershipCheck;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.LeaseExpirer;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.lease.PrimaryLeases;
import io.etcdj.server.mvcc.CommitListener;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.RocksBackend;
import io.etcdj.server.node.Bootstrap;
import io.etcdj.server.node.RaftMember;
import io.etcdj.server.node.RaftSettings;
import io.etcdj.server.node.Scheduling;
import io.etcdj.server.rpc.AuthGate;
import io.etcdj.server.rpc.CallerStamp;
import io.etcdj.server.wal.WalOptions;
import io.etcdj.server.wal.WriteAheadLog;
import io.etcdj.server.watch.WatchHub;
import io.etcdj.server.watch.WatchLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.rocksdb.MutableDBOptions;
import org.rocksdb.RocksDBException;

/**
 * One simulated member: the server's own parts (write-ahead log, MVCC store on RocksDB, lessor, alarms, membership
 * registry, applier, raft driver and apply loop) wired as {@code EtcdjServer} wires them, in its own directory, on
 * simulated time, network and WAL disk, with both loops stepped by the simulation. It lives as a sequence of
 * incarnations: {@link #start} opens the data dir (recovering what a crash left), {@link #crash} kills the process
 * (the WAL loses a seeded part of its unsynced tail, RocksDB its memtables unless the seed says they were flushed).
 * Simulation thread only.
 */
final class SimMember {
    static final long HEARTBEAT_MS = 10;
    static final long ELECTION_MS = 100;
    /** The member's loops a turn runs: driver, apply, watch sender, watch catch-up, MVCC compactor. */
    private static final int LOOPS = 5;

    /** The parts of one incarnation (one process lifetime). */
    record Incarnation(
            MvccStore store,
            WriteAheadLog wal,
            SimDisk disk,
            Lessor lessor,
            PrimaryLeases leases,
            MemberRegistry registry,
            Alarms alarms,
            AuthStore auth,
            Checkpoints checkpoints,
            SimTicker ticker,
            WatchHub hub,
            SimExecutor sender,
            RaftMember raft) {
        /**
         * Proposes {@code command} as {@code user} (null: no credentials) the way the client port does: the caller is
         * who {@link AuthGate} says a client certificate naming {@code user} is, and {@link CallerStamp} stamps it on
         * the entry. Returns the caller with the proposal's future.
         */
        Proposal proposeAs(String user, LogCommand command) {
            AuthInfo caller = new AuthGate(auth).callerOf(null, user);
            return new Proposal(caller, new CallerStamp(raft, new AuthGate(auth)).proposeAs(caller, command));
        }
    }

    /** A command proposed for a caller, and its outcome. */
    record Proposal(AuthInfo caller, CompletableFuture<Object> outcome) {}

    final MemberInfo info;
    final long raftId;
    final Path dir;
    private final List<MemberInfo> founders;
    private final SimEvents events;
    private final SimNetwork network;
    private final SplittableRandom random;
    private final RaftSettings settings;
    private final long walSegmentBytes;
    /** Told of every revoke this member's lease expirer proposed, once it is applied here. */
    private final ExpiryObserver expiryApplied;
    /** When this member's lessor was last promoted (sim ms). */
    private long promotedAtMs;

    /** Told of the expiries a member's lessor proposed. */
    interface ExpiryObserver {
        /** The revoke of {@code leaseId} proposed by a primary promoted at {@code promotedAtMs} was applied. */
        void expired(long leaseId, long promotedAtMs);
    }
    /** Told of every revision this member's store commits. */
    private final CommittedRevisions committed;
    /** Told of this member's auth state whenever it changes, and at each start. */
    private final AuthHistory authHistory;

    private final WatchLimits watchLimits;
    private final LeaseConfig leaseConfig;
    /** The running incarnation; null while down. */
    private Incarnation live;

    private int incarnations;
    /** Paused (as a long GC pause or a stopped process): neither loop runs, time goes on. */
    boolean paused;
    /** The apply loop runs no turn before this time (a stalled store disk). */
    long applyStalledUntilMs;
    /** Mutant {@link Mutants#SILENT_APPLY_DEATH}: this incarnation's apply loop runs no more turns. */
    boolean applyDeadSilently;
    /** The driver runs no turn before this time: it is blocked in its fsyncs (a slow WAL disk). */
    private long driverStalledUntilMs;
    /** The WAL disk's weather, kept across incarnations (a failing disk is replaced by the restart). */
    final SimDisk.Faults diskFaults = new SimDisk.Faults();
    /** Runs after the member fail-stopped on a failed fsync (and was crashed); the nemesis restarts it. */
    Runnable onFailStop = () -> {};
    /** Runs when the member learns it was removed from the cluster (it then stops by itself). */
    Runnable onRemoved = () -> {};
    /** Removed from the cluster and stopped: never started again. */
    boolean removed;
    /** Removed, and stopping soon. */
    boolean stopping;
    /** A member added to a running cluster: its first start does not found the cluster. */
    private final boolean joining;
    /** Simulated time this member's drivers spent blocked in fsyncs, and fail-stops on a failed fsync. */
    long fsyncStalledMs;

    int failStops;
    /**
     * The steps of a snapshot install at which a reader probes the store (a reader that arrives right after the
     * store's database is swapped waits for its revisions to load, which one thread cannot show: not probed there).
     */
    private static final String INSTALL_PROBE_POINTS = "snapInstallMarkerWritten=crash;snapInstallBeforeStage=crash;"
            + "snapInstallStaged=crash;snapInstallOpened=crash;snapInstallSwitched=crash;snapInstallRecorded=crash;"
            + "snapInstallMarkerDeleted=crash";
    /** Between two batches of a compaction's removals. */
    private static final String COMPACTION_PROBE_POINTS = "compactBatchDeleted=crash";
    /** Reads this member's store from inside a turn (at the install's or compaction's steps); null: none. */
    Consumer<SimMember> insideProbe;
    /** The index of a snapshot handed to this member and not yet installed or overtaken (0: none). */
    long snapshotPendingIndex;
    /** The compacted revision up to which this incarnation's compactor is known to have finished. */
    private long compactedSeen;
    /** Whether a loop of the current step reached {@link #crashPoint} (the process dies there). */
    private boolean died;
    /** A failpoint at which this member dies the next time one of its loops reaches it; null: none. */
    private String crashPoint;
    /** Runs after the member died at {@link #crashPoint}. */
    private Runnable afterCrashPoint;

    SimMember(
            MemberInfo info,
            List<MemberInfo> founders,
            Path dir,
            SimEvents events,
            SimNetwork network,
            SplittableRandom random,
            long snapshotCount,
            long catchUpEntries,
            long walSegmentBytes,
            ExpiryObserver expiryApplied,
            CommittedRevisions committed,
            WatchLimits watchLimits,
            LeaseConfig leaseConfig,
            AuthHistory authHistory,
            boolean joining) {
        this.authHistory = authHistory;
        this.leaseConfig = leaseConfig;
        this.joining = joining;
        this.expiryApplied = expiryApplied;
        this.committed = committed;
        this.watchLimits = watchLimits;
        this.info = info;
        this.raftId = RaftIds.of(info.id());
        this.founders = founders;
        this.dir = dir;
        this.events = events;
        this.network = network;
        this.random = random;
        this.walSegmentBytes = walSegmentBytes;
        this.settings =
                new RaftSettings(info.id(), HEARTBEAT_MS, ELECTION_MS, true, snapshotCount, 1 << 20, catchUpEntries);
    }

    boolean isUp() {
        return live != null;
    }

    /** The running incarnation (the member must be up). */
    Incarnation live() {
        if (live == null) {
            throw new IllegalStateException("member " + info.name() + " is down");
        }
        return live;
    }

    RaftMember raft() {
        return live().raft();
    }

    String name() {
        return info.name();
    }

    /** Starts an incarnation on what the data dir holds (bootstrapping the cluster's first entries the first time). */
    void start() throws IOException {
        diskFaults.failRate = 0; // a member restarts on a working disk (else it could not start: a human's problem)
        Path snapDir = dir.resolve("snap");
        MvccStore store = MvccStore.open(dir.resolve("db"), events::nanos, true);
        try {
            if (Files.isDirectory(snapDir) && SnapshotInstaller.recover(store, snapDir)) {
                events.trace(name() + " finished a snapshot install a crash cut short");
            }
            Checkpoints checkpoints = Checkpoints.open(snapDir, null);
            SimDisk disk = new SimDisk(diskFaults, random.split());
            network.delaySends(raftId, disk::fsyncMsSoFar);
            WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal"), new WalOptions(walSegmentBytes, false), disk);
            if (incarnations == 0 && !joining) {
                Bootstrap.found(wal, founders);
            }
            MemberRegistry registry = MemberRegistry.load(store, new ClusterIdentity(1, info, founders));
            Alarms alarms = Alarms.load(store);
            Lessor lessor = new Lessor(store, leaseConfig, events::nanos);
            AuthStore auth = AuthStore.load(store, new SimpleTokens(300, events::nanos, random.split()));
            // as the server's watch service; what the auth state is after each entry, for the checks
            auth.onChange(() -> authHistory.observed(name(), store.consistentIndex(), auth.state()));
            authHistory.observed(name(), store.consistentIndex(), auth.state());
            Applier applier = new Applier(store, lessor, registry, alarms, auth);
            SimTicker ticker = new SimTicker(events, random.nextInt((int) HEARTBEAT_MS));
            SimExecutor sender = new SimExecutor();
            WatchHub hub = new WatchHub(
                    store,
                    rev -> ResponseHeader.newBuilder().setRevision(rev).build(),
                    1 << 20,
                    watchLimits,
                    sender,
                    ticker,
                    Duration.ofMinutes(10));
            store.setCommitListener(new Commits(hub)); // before the log replays, as the server does
            SimMemberHooks hooks = new SimMemberHooks(
                    store,
                    lessor,
                    registry,
                    alarms,
                    auth,
                    snapDir,
                    hub,
                    () -> {
                        promotedAtMs = events.nowMs();
                        events.trace(name() + "'s lessor is promoted");
                    },
                    () -> events.guard(() -> {
                        events.trace(name() + " learned it was removed from the cluster");
                        onRemoved.run();
                    }));
            RaftMember raft = RaftMember.start(
                    settings,
                    new RaftMember.Parts(
                            wal,
                            store,
                            applier,
                            registry,
                            network.transport(raftId),
                            hooks,
                            ticker,
                            checkpoints,
                            Scheduling.stepped(random.nextLong())),
                    events.nowMs(),
                    SnapshotInstaller.installed(store));
            // as the server: the lessor acts as primary only once a read round confirms this member still leads
            LeadershipCheck leadership = new LeadershipCheck(raft, lessor::isPrimary, events::nanos, ELECTION_MS);
            LeaseExpirer expirer = LeaseExpirer.manual(lessor, new ExpiryWatch(raft), leadership);
            ticker.every(Duration.ofMillis(lessor.config().tickMs()), expirer::runOnce);
            // the mutant that shows what the check is for: renewals without confirming leadership (etcd#15247)
            PrimaryLeases leases = Mutants.UNCONFIRMED_RENEWALS.on() ? lessor : new ConfirmedLeases(lessor, leadership);
            live = new Incarnation(
                    store, wal, disk, lessor, leases, registry, alarms, auth, checkpoints, ticker, hub, sender, raft);
            incarnations++;
            events.trace(name() + " started (incarnation " + incarnations + ", applied " + store.consistentIndex()
                    + ", log " + wal.firstIndex() + ".." + wal.lastIndex() + ")");
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The process dies: nothing more reaches the network or the disks; the WAL keeps a seeded part of its unsynced
     * tail; RocksDB keeps its memtables only if the seed says it had flushed them (its own WAL is off, as in
     * production, so what it had not flushed is gone and the raft log replays it).
     */
    void crash() throws IOException {
        Incarnation in = live();
        live = null;
        paused = false;
        snapshotPendingIndex = 0;
        compactedSeen = 0;
        crashPoint = null;
        applyStalledUntilMs = 0;
        applyDeadSilently = false;
        driverStalledUntilMs = 0;
        network.down(raftId);
        in.ticker().close();
        in.lessor().close();
        in.hub().close();
        in.disk().crash(random);
        in.wal().close(); // releases the files; the crashed disk takes no more bytes
        boolean flushed = random.nextInt(4) == 0;
        try (RocksBackend.Pin p = in.store().backend().pin()) {
            if (flushed) {
                in.store().backend().flush();
            }
            in.store()
                    .backend()
                    .db()
                    .setDBOptions(MutableDBOptions.builder()
                            .setAvoidFlushDuringShutdown(true)
                            .build());
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        in.store().close();
        events.trace(name() + " crashed (store memtables " + (flushed ? "flushed" : "lost") + ")");
    }

    /** A clean stop at the end of a run. */
    void stop() throws IOException {
        if (live == null) {
            return;
        }
        Incarnation in = live;
        live = null;
        in.raft().close();
        in.lessor().close();
        in.hub().close();
        try {
            in.wal().close();
        } catch (SimDisk.FsyncFailure e) {
            // the last fsync of a stopping process failed: the server logs it and exits all the same
            events.trace(name() + "'s last fsync failed while it stopped");
        }
        in.store().close();
    }

    /**
     * Runs one turn of each of the member's loops (the raft driver, the apply loop unless stalled, a watch sender, the
     * watch catch-up worker, the compactor unless the store is stalled), in a seeded order; whether any did anything.
     */
    boolean step(SplittableRandom order) {
        if (live == null || paused) {
            return false;
        }
        Incarnation in = live;
        boolean applyMay = events.nowMs() >= applyStalledUntilMs && !applyDeadSilently;
        boolean driverMay = events.nowMs() >= driverStalledUntilMs;
        boolean did = false;
        int first = order.nextInt(LOOPS);
        String point = crashPoint;
        died = false;
        String probes = point != null || insideProbe == null ? null : probePoints(in);
        if (point != null) {
            Failpoints.arm(point + "=crash", () -> {
                died = true;
                throw new SimCrash(point);
            });
        } else if (probes != null) { // a reader at each such step (a "crash" action that returns lets it go on)
            Failpoints.arm(probes, () -> events.guard(() -> insideProbe.accept(this)));
        }
        try {
            for (int i = 0; i < LOOPS && !died && !in.raft().failure().isDone(); i++) {
                did |= switch ((first + i) % LOOPS) {
                    case 0 -> driverMay && in.raft().runDriverStep();
                    case 1 -> applyMay && in.raft().runApplyStep();
                    case 2 -> in.sender().runOne();
                    case 3 -> in.hub().catchUpPass();
                    default -> applyMay && compactionStep(in); // the store's disk, as the applier's
                };
            }
        } finally {
            if (point != null || probes != null) {
                Failpoints.disarmAll();
            }
        }
        long fsyncMs = in.disk().takeFsyncMs();
        if (fsyncMs > 0) { // the driver was blocked that long in its fsyncs: it takes its next turn then
            driverStalledUntilMs = events.nowMs() + fsyncMs;
            fsyncStalledMs += fsyncMs;
            events.after(fsyncMs, null, () -> {});
        }
        var failure = in.raft().failure().getNow(null);
        if (failure != null && causedBy(failure.cause(), SimDisk.FsyncFailure.class)) {
            // production: the failure is reported and the process exits (fail-stop); what the WAL wrote since its
            // last good fsync may or may not be on disk
            events.trace(name() + " fail-stopped: " + failure.message());
            failStops++;
            try {
                crash();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            onFailStop.run();
            return true;
        }
        if (failure != null && !died && !(failure.cause() instanceof SimCrash)) {
            throw new AssertionError(
                    "member " + name() + " failed on " + failure.thread() + ": " + failure.message(), failure.cause());
        }
        if (died || failure != null) { // a loop reached the crash point (the compactor's too, whose task swallows it)
            events.trace(name() + " died at failpoint " + point);
            crashPoint = null;
            try {
                crash();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            afterCrashPoint.run();
            return true;
        }
        return did;
    }

    /** The points to probe at in this step: those of a pending snapshot install or compaction; null: none. */
    private String probePoints(Incarnation in) {
        boolean install = snapshotPendingIndex > in.store().consistentIndex();
        boolean compaction = in.store().compactedRevision() > compactedSeen;
        if (install && compaction) {
            return INSTALL_PROBE_POINTS + ";" + COMPACTION_PROBE_POINTS;
        }
        return install ? INSTALL_PROBE_POINTS : compaction ? COMPACTION_PROBE_POINTS : null;
    }

    /** One compaction step; once the compactor has nothing left, what it has done is remembered. */
    private boolean compactionStep(Incarnation in) {
        long scheduled = in.store().compactedRevision();
        boolean ran = in.store().runCompactionStep();
        if (!ran) {
            compactedSeen = scheduled;
        }
        return ran;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (kind.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Makes this member die the next time one of its loops reaches {@code point}; then runs {@code after}. */
    void crashAt(String point, Runnable after) {
        crashPoint = point;
        afterCrashPoint = after;
    }

    /** The store's commit listener: the watch hub, and the record of what was committed. */
    private final class Commits implements CommitListener {
        private final WatchHub hub;

        Commits(WatchHub hub) {
            this.hub = hub;
        }

        @Override
        public void committed(long revision, List<Event> events) {
            committed.committed(name(), revision, events);
            hub.committed(revision, events);
        }

        @Override
        public void committedInStore(long revision, byte[] lowestKey, byte[] highestKey) {
            committed.committedInStore(revision);
            hub.committedInStore(revision, lowestKey, highestKey);
        }
    }

    /** The expirer's log: tells the simulation of each revoke it proposed once that is applied here. */
    private final class ExpiryWatch extends ForwardingConsensus {
        ExpiryWatch(Consensus log) {
            super(log);
        }

        @Override
        public CompletableFuture<Object> propose(LogCommand command) {
            CompletableFuture<Object> f = log.propose(command);
            if (command.hasLeaseCheckpoints() && events.tracing()) {
                String what = command.getLeaseCheckpoints().getLeasesList().stream()
                        .map(r -> Long.toHexString(r.getId()) + " " + r.getRemainingMs() + " ms")
                        .toList()
                        .toString();
                events.trace(name() + " proposes lease checkpoint " + what);
                f.whenComplete((result, err) -> events.trace(
                        name() + " lease checkpoint " + what + (err == null ? " applied" : " failed: " + err)));
            }
            if (command.hasLeaseRevoke()) {
                long id = command.getLeaseRevoke().getID();
                f.whenComplete((result, err) -> {
                    if (err == null && !(result instanceof Throwable)) {
                        events.guard(() -> {
                            events.trace(name() + " expired lease " + Long.toHexString(id));
                            expiryApplied.expired(id, promotedAtMs);
                        });
                    }
                });
            }
            return f;
        }
    }
}
