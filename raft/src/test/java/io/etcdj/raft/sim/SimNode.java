package io.etcdj.raft.sim;

import io.etcdj.raft.Entry;
import io.etcdj.raft.MemoryStorage;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.ReadState;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Snapshot;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One simulated member process: a {@link RaftNode} driven by the Ready contract over a {@link SimDisk}
 * whose writes take simulated time to sync. Between taking a Ready and its sync the node keeps receiving
 * messages; a crash in that window loses (a random suffix of) the write and everything in memory.
 */
final class SimNode {
    /** What the simulation observes of a member. */
    interface Hooks {
        void persisted(SimNode n, Ready rd);

        void snapshotInstalled(SimNode n, Snapshot s);

        void applied(SimNode n, Entry e, long requestId);

        void readServed(SimNode n, byte[] context, KvStateMachine sm);

        void send(Message m);
    }

    final long id;
    final SimDisk disk = new SimDisk();
    private final EventQueue events;
    private final SplittableRandom random;
    private final Hooks hooks;
    private final Function<MemoryStorage, RaftConfig> configFor;
    private final int snapshotEveryEntries;
    private final int keepEntriesBehindSnapshot;
    RaftNode node;
    MemoryStorage live;
    KvStateMachine sm;
    private Ready inProgress;
    private int incarnation;
    private final List<ReadState> waitingReads = new ArrayList<>();
    /** Simulated time at which the member was removed, or -1. */
    long removedAtMs = -1;

    SimNode(
            long id,
            EventQueue events,
            SplittableRandom random,
            Hooks hooks,
            Function<MemoryStorage, RaftConfig> configFor,
            int snapshotEveryEntries,
            int keepEntriesBehindSnapshot) {
        this.id = id;
        this.events = events;
        this.random = random;
        this.hooks = hooks;
        this.configFor = configFor;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.keepEntriesBehindSnapshot = keepEntriesBehindSnapshot;
    }

    boolean up() {
        return node != null;
    }

    /** Starts (or restarts) the process from its durable image. */
    void start() {
        live = disk.load();
        node = new RaftNode(configFor.apply(live));
        Snapshot snap = live.snapshot();
        sm = snap.isEmpty() ? new KvStateMachine() : KvStateMachine.restore(snap.data());
        incarnation++;
        pump();
    }

    /** Kills the process: memory is lost, the unsynced write partly survives. */
    void crash() {
        disk.crash(random);
        node = null;
        live = null;
        sm = null;
        inProgress = null;
        waitingReads.clear();
        incarnation++;
    }

    void tick() {
        if (node != null) {
            node.tick();
            pump();
        }
    }

    void deliver(Message m) {
        if (node != null) {
            node.step(m);
            pump();
        }
    }

    /** Takes the next Ready if none is being written, and schedules its sync. */
    void pump() {
        if (node == null || inProgress != null || !node.hasReady()) {
            return;
        }
        Ready rd = node.ready();
        inProgress = rd;
        for (Message m : rd.earlyMessages()) {
            hooks.send(m); // replication overlaps the leader's own write; a crash may lose that write
        }
        disk.beginWrite(rd);
        int inc = incarnation;
        // a synced write usually takes 1-3 ms; now and then the disk stalls while messages keep arriving
        long latencyMs =
                rd.mustSync() ? (random.nextInt(500) == 0 ? 30 + random.nextInt(170) : 1 + random.nextInt(3)) : 0;
        events.after(latencyMs, null, () -> {
            if (incarnation == inc) {
                finishReady();
            }
        });
    }

    private void finishReady() {
        Ready rd = inProgress;
        disk.sync();
        if (rd.snapshot() != null) {
            live.applySnapshot(rd.snapshot());
        }
        live.append(rd.entries());
        if (rd.hardState() != null) {
            live.setHardState(rd.hardState());
        }
        hooks.persisted(this, rd);
        if (rd.snapshot() != null) {
            sm = KvStateMachine.restore(rd.snapshot().data());
            hooks.snapshotInstalled(this, rd.snapshot());
        }
        for (Message m : rd.messages()) {
            hooks.send(m);
        }
        for (Entry e : rd.committedEntries()) {
            long rid = sm.apply(e);
            hooks.applied(this, e, rid);
        }
        waitingReads.addAll(rd.readStates());
        serveReads();
        node.advance(rd);
        inProgress = null;
        maybeSnapshot();
        pump();
    }

    private void serveReads() {
        for (Iterator<ReadState> it = waitingReads.iterator(); it.hasNext(); ) {
            ReadState rs = it.next();
            if (rs.index() <= sm.appliedIndex()) {
                it.remove();
                hooks.readServed(this, rs.context(), sm);
            }
        }
    }

    private void maybeSnapshot() {
        long applied = sm.appliedIndex();
        long snapIndex = live.snapshot().metadata().index();
        if (applied - snapIndex < snapshotEveryEntries || applied > live.lastIndex()) {
            return;
        }
        Snapshot snap = live.createSnapshot(applied, node.confState(), sm.snapshot());
        long compactIndex = Math.max(live.firstIndex() - 1, applied - keepEntriesBehindSnapshot);
        live.compact(compactIndex);
        disk.saveSnapshot(snap, compactIndex);
    }
}
