package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.StoreHash;
import io.etcdj.server.watch.WatchLimits;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * One seeded run of a cluster of real members (see {@link SimMember}) in this JVM, on this thread: simulated time
 * ({@link SimEvents}), network ({@link SimNetwork}) and WAL disk ({@link SimDisk}), a seeded scheduler that runs the
 * members' driver and apply loops turn by turn, clients ({@link SimClients}) and faults ({@link Nemesis}). After the
 * faults stop, the cluster must converge; then the run checks that the clients' history is linearizable key by key
 * (so every acknowledged write survived: a final read of every key is part of it), that every member's store has the
 * same revision and HashKV, and, throughout, that no member failed. The run is a function of its seed.
 */
final class WholeMemberSimulation {
    /** Figures from one run. */
    record Result(
            long seed,
            int members,
            long events,
            long turns,
            long delivered,
            long writesAcked,
            long writesUnknown,
            long readsServed,
            long leaseGrants,
            long leaseRenewals,
            long leaseExpiries,
            long leaseKeyReads,
            long maxLostRenewalMs,
            int watchersChecked,
            long watchEvents,
            long storeProbes,
            int undecidedKeys,
            int faults,
            int crashes,
            long simulatedMs,
            long compactions,
            int compactedWatchers,
            long pastReads,
            int fsyncFailStops,
            long fsyncStalledMs,
            int membershipChanges,
            long authChanges,
            long authStatesEnabled,
            long userWritesChecked,
            long userWritesRefused,
            long authRefusalsChecked,
            long snapshotsDelivered,
            long snapshotsCut,
            long snapshotsRefused,
            long insideProbes) {}

    /** Clients keep going this long after the faults stop. */
    static final long CLIENTS_AFTER_HEAL_MS = 1000;
    /** The cluster must have converged this long after the clients stop. */
    static final long SETTLE_DEADLINE_MS = 20_000;
    /** Scheduler rounds after one event before the run counts as a livelock. */
    static final int MAX_ROUNDS = 100_000;

    private final long seed;
    private final Path dir;
    private final SplittableRandom random;
    private final SplittableRandom scheduler;
    private final SimEvents events;
    private final List<SimMember> members = new ArrayList<>();
    private final SimNetwork network;
    private final KvHistory history = new KvHistory();
    private final CommittedRevisions committed = new CommittedRevisions();
    private final AuthHistory authHistory;
    private final PermissionChecks permissions;
    /** The members' lease configuration: etcd's default, or (one seed in four) with the LeaseCheckpoint gate. */
    private final LeaseConfig leaseConfig;

    private final LeaseChecks leases;
    private final long chaosMs;
    /** Raft ID -> member ID, and raft ID -> member, of every member the run made. */
    private final Map<Long, Long> memberIds = new HashMap<>();

    private final Map<Long, SimMember> byRaftId = new HashMap<>();
    private SimMembership membership;
    private final int keys;
    private long turns;
    private long probes;
    /** Store probes made in the middle of a turn (inside a snapshot install). */
    private long insideProbes;
    /** Probes that read a past revision (compacted or not). */
    private long pastReads;

    private int undecidedKeys;
    /** On average one store probe every this many events. */
    static final int PROBE_EVERY_EVENTS = 50;

    WholeMemberSimulation(long seed, Path dir, PrintStream trace) {
        this.seed = seed;
        this.dir = dir;
        this.random = new SplittableRandom(seed);
        this.scheduler = random.split();
        this.events = new SimEvents(trace);
        this.authHistory = new AuthHistory(events);
        this.permissions = new PermissionChecks(events);
        this.network = new SimNetwork(events, random.split(), dir, new SnapshotFiles());
        this.chaosMs = 1500 + random.nextInt(2500);
        this.keys = 3 + random.nextInt(5);
        this.leaseConfig = LeaseConfig.forElectionTimeout(SimMember.ELECTION_MS).withCheckpoint(random.nextInt(4) == 0);
        this.leases = new LeaseChecks(leaseConfig.promoteExtendMs(), leaseConfig.checkpoint());
    }

    Result run() throws IOException {
        int size = random.nextInt(4) == 0 ? 5 : 3;
        long snapshotCount = new long[] {20, 100, 10_000}[random.nextInt(3)];
        long catchUpEntries = new long[] {5, 50, 5000}[random.nextInt(3)];
        long segmentBytes = new long[] {2048, 64 << 10}[random.nextInt(2)];
        WatchLimits watchLimits = random.nextBoolean() ? WatchLimits.DEFAULTS : smallWatchLimits();
        events.trace("seed " + seed + ": " + size + " members, snapshot every " + snapshotCount + " entries keeping "
                + catchUpEntries + ", WAL segments of " + segmentBytes + " bytes, " + keys + " keys, chaos for "
                + chaosMs + " ms" + (leaseConfig.checkpoint() ? ", lease checkpoints on" : ""));
        List<MemberInfo> founders = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            founders.add(new MemberInfo(0x1000L * i + i, "m" + i, List.of("http://m" + i + ":2380"), List.of(), false));
        }
        SimMember.ExpiryObserver expiries = (id, promotedAtMs) -> leases.expired(id, events.nowMs(), promotedAtMs);
        for (MemberInfo info : founders) {
            members.add(newMember(
                    info, founders, snapshotCount, catchUpEntries, segmentBytes, expiries, watchLimits, false));
        }
        network.refuses = this::refuses;
        network.snapshots.onHandedOver = (raftId, index) -> {
            SimMember m = byRaftId.get(raftId);
            m.snapshotPendingIndex = Math.max(m.snapshotPendingIndex, index);
        };
        for (SimMember m : members) {
            m.start();
        }
        SimClients clients = new SimClients(
                events, random.split(), this::upMembers, history, keys, 2 + random.nextInt(40), permissions);
        clients.start(2 + random.nextInt(4));
        SimCompactions compactions = new SimCompactions(events, random.split(), this::upMembers);
        compactions.start();
        SimAuth auth = new SimAuth(events, random.split(), this::upMembers, keys);
        auth.start();
        LeaseClients leaseClients = new LeaseClients(events, random.split(), this::upMembers, leases, 3);
        leaseClients.start(2 + random.nextInt(3));
        WatchClients watchClients = new WatchClients(events, random.split(), this::upMembers, committed);
        watchClients.start();
        Nemesis nemesis = new Nemesis(events, random.split(), members, network);
        nemesis.start(chaosMs);
        SimMembership membership = new SimMembership(events, random.split(), members, network, j -> {
            SimMember m = newMember(
                    j.info(), j.members(), snapshotCount, catchUpEntries, segmentBytes, expiries, watchLimits, true);
            nemesis.adopt(m);
            m.onRemoved = () -> membershipStop(m);
            return m;
        });
        this.membership = membership;
        members.forEach(m -> m.onRemoved = () -> membershipStop(m));
        membership.start(chaosMs);
        runUntil(chaosMs);
        nemesis.healAll();
        quiesce();
        runUntil(chaosMs + CLIENTS_AFTER_HEAL_MS);
        clients.stop();
        leaseClients.stop();
        watchClients.stop();
        compactions.stop();
        auth.stop();
        long deadline = events.nowMs() + SETTLE_DEADLINE_MS;
        while (clients.inFlight > 0 || leaseClients.inFlight > 0 || !converged()) {
            for (SimMember m : List.copyOf(members)) {
                if (m.isUp()) {
                    membership.stopUnaware(m.live().registry().members().removed());
                }
            }
            if (!events.runNext(deadline)) {
                throw new AssertionError("the cluster did not converge within " + SETTLE_DEADLINE_MS
                        + " ms after the faults stopped (" + clients.inFlight + " operations in flight):\n"
                        + describeMembers());
            }
            quiesce();
        }
        checkEnd();
        watchClients.resumeAll();
        quiesce();
        watchClients.check(members.get(0).live().store().currentRevision());
        Result r = new Result(
                seed,
                size,
                events.executed(),
                turns,
                network.delivered + network.snapshots.receivedWhole,
                history.writesAcked,
                history.writesUnknown,
                history.readsServed,
                leases.grants,
                leases.renewals,
                leases.expiries,
                leases.leaseKeyReads,
                leases.maxLostRenewalMs,
                watchClients.checked,
                watchClients.eventsSeen,
                probes,
                undecidedKeys,
                nemesis.faults,
                nemesis.crashes,
                events.nowMs(),
                compactions.applied,
                watchClients.compactedChecked,
                pastReads,
                members.stream().mapToInt(m -> m.failStops).sum(),
                members.stream().mapToLong(m -> m.fsyncStalledMs).sum(),
                membership.changes,
                auth.applied,
                authHistory.observedEnabled,
                permissions.checked,
                permissions.refused,
                auth.refusedRights,
                network.snapshots.receivedWhole,
                network.snapshots.cut,
                network.snapshots.refused,
                insideProbes);
        for (SimMember m : members) {
            m.stop();
        }
        return r;
    }

    private SimMember newMember(
            MemberInfo info,
            List<MemberInfo> cluster,
            long snapshotCount,
            long catchUpEntries,
            long segmentBytes,
            SimMember.ExpiryObserver expiries,
            WatchLimits watchLimits,
            boolean joining) {
        SimMember m = new SimMember(
                info,
                cluster,
                dir.resolve(info.name()),
                events,
                network,
                random.split(),
                snapshotCount,
                catchUpEntries,
                segmentBytes,
                expiries,
                committed,
                watchLimits,
                leaseConfig,
                authHistory,
                joining);
        m.insideProbe = this::probeInside;
        memberIds.put(m.raftId, info.id());
        byRaftId.put(m.raftId, m);
        return m;
    }

    private void membershipStop(SimMember m) {
        membership.stopRemoved(m);
    }

    /** A peer refuses a member's messages once it has applied that member's removal, as the peer port does. */
    private boolean refuses(long fromRaftId, long toRaftId) {
        SimMember to = byRaftId.get(toRaftId);
        Long from = memberIds.get(fromRaftId);
        return to != null
                && from != null
                && to.isUp()
                && to.live().registry().members().removed().contains(from);
    }

    private void runUntil(long timeMs) {
        while (events.runNext(timeMs)) {
            quiesce();
            if (scheduler.nextInt(PROBE_EVERY_EVENTS) == 0) {
                probeStore(members.get(scheduler.nextInt(members.size())));
            }
        }
    }

    /**
     * What a serializable read of {@code m}'s store shows between two turns is exactly the committed state at the
     * store's revision: no half-applied entry, no snapshot half installed, no revision whose data is missing.
     */
    private void probeStore(SimMember m) {
        if (!m.isUp()) {
            return;
        }
        MvccStore store = m.live().store();
        long revision = store.currentRevision();
        Map<ByteString, KeyValue> expected = committed.stateAt(revision);
        if (expected == null) {
            return;
        }
        List<KeyValue> kvs;
        try {
            kvs = store.range(
                            new KeyRange(
                                    ByteString.copyFromUtf8("k").toByteArray(),
                                    ByteString.copyFromUtf8("m").toByteArray()),
                            0,
                            0,
                            false)
                    .kvs();
        } catch (MvccException e) {
            throw new AssertionError("reading " + m.name() + "'s store: " + e.getMessage(), e);
        }
        List<KeyValue> want = List.copyOf(expected.values());
        if (!kvs.equals(want)) {
            throw new AssertionError(m.name() + "'s store at revision " + revision + " holds " + kvs.size() + " keys"
                    + " that differ from the committed state at that revision (" + want.size() + " keys):\n  store "
                    + kvs + "\n  committed " + want);
        }
        probes++;
        if (revision > 1 && scheduler.nextInt(3) == 0) {
            probePast(m, 1 + scheduler.nextLong(revision));
        }
    }

    /**
     * A read at past revision {@code at}: refused as compacted below the store's compacted revision, else exactly the
     * committed state at {@code at}, whether or not the compactor has removed the history below it yet.
     */
    private void probePast(SimMember m, long at) {
        MvccStore store = m.live().store();
        long compacted = store.compactedRevision();
        Map<ByteString, KeyValue> expected = committed.stateAt(at);
        List<KeyValue> kvs;
        try {
            kvs = store.range(
                            new KeyRange(
                                    ByteString.copyFromUtf8("k").toByteArray(),
                                    ByteString.copyFromUtf8("m").toByteArray()),
                            at,
                            0,
                            false)
                    .kvs();
        } catch (MvccException e) {
            if (e.kind() == MvccException.Kind.COMPACTED && at < compacted) {
                pastReads++;
                return;
            }
            throw new AssertionError(
                    "reading " + m.name() + "'s store at revision " + at + " (compacted " + compacted + "): "
                            + e.getMessage(),
                    e);
        }
        if (at < compacted) {
            throw new AssertionError(
                    m.name() + " served a read at revision " + at + ", below its compacted revision " + compacted);
        }
        if (expected != null && !kvs.equals(List.copyOf(expected.values()))) {
            throw new AssertionError(m.name() + "'s store read at past revision " + at + " (compacted " + compacted
                    + ") differs from the committed state then:\n  store " + kvs + "\n  committed "
                    + List.copyOf(expected.values()));
        }
        pastReads++;
    }

    /**
     * A reader of {@code m}'s store in the middle of a turn (at a step of a snapshot install, or between two batches
     * of a compaction): it sees the store as it was before the install or as it is after, each exactly the committed
     * state at the store's revision, and never a mix; and a read at a past revision is refused below the compacted
     * revision and otherwise exactly the committed state then, however much of the compaction is done.
     */
    private void probeInside(SimMember m) {
        long before = probes;
        probeStore(m);
        if (probes == before) {
            return;
        }
        insideProbes++;
        MvccStore store = m.live().store();
        long revision = store.currentRevision();
        long compacted = store.compactedRevision();
        events.trace("probed " + m.name() + "'s store inside a turn at revision " + revision + " (compacted "
                + compacted + ")");
        if (revision > compacted) {
            probePast(m, Math.max(1, compacted) + scheduler.nextLong(revision - Math.max(1, compacted) + 1));
        }
    }

    /** Runs the members' loops, in seeded order, until none has anything left to do at this instant. */
    private void quiesce() {
        for (int round = 0; ; round++) {
            if (round > MAX_ROUNDS) {
                throw new AssertionError("livelock: the members still had work after " + MAX_ROUNDS + " rounds");
            }
            boolean did = false;
            int start = scheduler.nextInt(members.size());
            for (int i = 0; i < members.size(); i++) {
                did |= members.get((start + i) % members.size()).step(scheduler);
            }
            events.checkNoViolation();
            if (!did) {
                if (events.tracing()) {
                    traceLeaders();
                }
                return;
            }
            turns++;
        }
    }

    /** Member name -> what it last said about leadership, for the trace. */
    private final Map<String, String> lastSaid = new HashMap<>();

    private void traceLeaders() {
        for (SimMember m : members) {
            String now = !m.isUp()
                    ? "down"
                    : "term " + m.raft().status().term() + " leader "
                            + Long.toHexString(m.raft().status().leaderId());
            if (!now.equals(lastSaid.put(m.name(), now))) {
                events.trace(m.name() + " is at " + now);
            }
        }
    }

    private List<SimMember> upMembers() {
        return members.stream().filter(SimMember::isUp).toList();
    }

    /** One leader that every member follows, and every member has applied all it committed. */
    private boolean converged() {
        SimMember leader = null;
        for (SimMember m : members) {
            if (m.isUp() && m.raft().status().leaderId() == m.info.id()) {
                leader = m;
            }
        }
        if (leader == null) {
            return false;
        }
        long commit = leader.raft().status().commitIndex();
        for (SimMember m : members) {
            if (!m.isUp()) {
                return false;
            }
            ConsensusStatus s = m.raft().status();
            if (s.leaderId() != leader.info.id() || s.commitIndex() != commit || s.appliedIndex() != commit) {
                return false;
            }
        }
        return true;
    }

    private void checkEnd() throws IOException {
        authHistory.check(members);
        for (SimMember m : members) {
            Path snapDir = m.live().checkpoints().directory();
            try (Stream<Path> files = Files.list(snapDir)) {
                List<String> left = files.map(f -> f.getFileName().toString())
                        .filter(f -> f.startsWith("incoming-"))
                        .sorted()
                        .toList();
                if (!left.isEmpty()) {
                    throw new AssertionError(m.name() + " keeps " + left.size() + " received snapshot(s) it has not"
                            + " installed, though it has applied everything committed (index "
                            + m.raft().status().appliedIndex() + "): " + left);
                }
            }
        }
        SimMember first = members.get(0);
        long revision = first.live().store().currentRevision();
        long now = events.nowMs();
        for (int k = 0; k < keys; k++) {
            String key = SimClients.key(k);
            history.read(key, SimClients.readNow(first.live().store(), key), now, now);
        }
        undecidedKeys = history.check(events);
        StoreHash.KvHash expected = hash(first, revision);
        for (SimMember m : members) {
            long r = m.live().store().currentRevision();
            if (r != revision) {
                throw new AssertionError("member " + m.name() + " is at revision " + r + ", " + first.name() + " at "
                        + revision + ":\n" + describeMembers());
            }
            List<Long> leaseIds = sorted(m.live().lessor().ids());
            if (!leaseIds.equals(sorted(first.live().lessor().ids()))) {
                throw new AssertionError("member " + m.name() + " has leases " + leaseIds + ", " + first.name()
                        + " has " + sorted(first.live().lessor().ids()));
            }
            StoreHash.KvHash h = hash(m, revision);
            if (h.hash() != expected.hash()) {
                throw new AssertionError("HashKV at revision " + revision + " differs: " + first.name() + " " + expected
                        + ", " + m.name() + " " + h + ":\n" + describeMembers());
            }
        }
    }

    /** Watch bounds small enough that streams fall behind and catch up from the store. */
    private static WatchLimits smallWatchLimits() {
        WatchLimits d = WatchLimits.DEFAULTS;
        return new WatchLimits(
                100,
                1000,
                4,
                d.streamQueueBytes(),
                4,
                d.totalQueueBytes(),
                d.controlBacklog(),
                3,
                d.recentBytes(),
                3,
                d.catchUpBytes(),
                d.catchUpWatchers(),
                d.catchUpResponseBytes(),
                4);
    }

    private static List<Long> sorted(List<Long> ids) {
        return ids.stream().sorted().toList();
    }

    private static StoreHash.KvHash hash(SimMember m, long revision) {
        try {
            return StoreHash.kv(m.live().store(), revision);
        } catch (MvccException e) {
            throw new AssertionError("HashKV of " + m.name() + ": " + e.getMessage(), e);
        }
    }

    private String describeMembers() {
        StringBuilder sb = new StringBuilder();
        for (SimMember m : members) {
            sb.append("  ").append(m.name()).append(": ");
            if (!m.isUp()) {
                sb.append("down\n");
                continue;
            }
            sb.append(m.raft().status())
                    .append(", revision ")
                    .append(m.live().store().currentRevision())
                    .append(m.paused ? ", paused" : "")
                    .append('\n');
        }
        return sb.toString();
    }

    /** The members' checkpoints, as the network sends them. */
    private final class SnapshotFiles implements SimNetwork.SnapshotFiles {
        @Override
        public boolean copyCheckpoint(long raftId, long index, Path to) throws IOException {
            for (SimMember m : members) {
                if (m.raftId == raftId && m.isUp()) {
                    Checkpoints cps = m.live().checkpoints();
                    Checkpoints.Snapshot s = cps.acquire(index);
                    if (s == null) {
                        return false;
                    }
                    try (Stream<Path> files = Files.list(s.path())) {
                        for (Path f : files.sorted().toList()) {
                            Files.copy(f, to.resolve(f.getFileName()));
                        }
                    } finally {
                        cps.release(s);
                    }
                    return true;
                }
            }
            return false;
        }

        @Override
        public Checkpoints checkpoints(long raftId) {
            for (SimMember m : members) {
                if (m.raftId == raftId && m.isUp()) {
                    return m.live().checkpoints();
                }
            }
            throw new IllegalStateException("member " + raftId + " is down");
        }
    }

    /** Deletes the run's directory. */
    static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            Checkpoints.deleteRecursively(p);
        }
    }
}
