package io.etcdj.raft.sim;

import io.etcdj.raft.ProposalRefusedException;
import io.etcdj.raft.check.LinearizabilityChecker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Simulated clients: each one in turn writes a unique value to, or reads, one of a few registers through a
 * random live member, and records the call and the outcome in a per-register history. A write completes
 * when the member it went through applies it; a read when that member has applied up to its read index.
 * A write that times out has an unknown outcome; a refused one had no effect.
 */
final class SimClients {
    static final int KEYS = 3;
    private static final long TIMEOUT_MS = 600;

    private record Pending(int client, boolean write, int key, long id, long nodeId, long callMs) {}

    private final EventQueue events;
    private final SplittableRandom random;
    private final Supplier<List<SimNode>> liveMembers;
    private final Map<Long, Pending> writes = new HashMap<>();
    private final Map<Long, Pending> reads = new HashMap<>();
    private final Map<Integer, List<LinearizabilityChecker.Op>> histories = new TreeMap<>();
    final Set<Long> acked = new HashSet<>();
    private long nextId = 1;
    private boolean stopped;
    long writesAcked;
    long readsServed;
    long refused;
    long timedOut;
    long lastAckMs = -1;

    SimClients(EventQueue events, SplittableRandom random, Supplier<List<SimNode>> liveMembers) {
        this.events = events;
        this.random = random;
        this.liveMembers = liveMembers;
    }

    void start(int clients) {
        for (int c = 0; c < clients; c++) {
            int client = c;
            events.after(random.nextInt(20), null, () -> next(client));
        }
    }

    void stop() {
        stopped = true;
    }

    private void next(int client) {
        if (stopped) {
            return;
        }
        List<SimNode> live = liveMembers.get();
        if (live.isEmpty()) {
            events.after(20, null, () -> next(client));
            return;
        }
        SimNode n = live.get(random.nextInt(live.size()));
        boolean write = random.nextInt(10) < 6;
        int key = random.nextInt(KEYS);
        long id = nextId++;
        Pending p = new Pending(client, write, key, id, n.id, events.nowMs());
        try {
            if (write) {
                writes.put(id, p);
                n.node.propose(KvStateMachine.writePayload(id, key));
            } else {
                reads.put(id, p);
                n.node.readIndex(ByteBuffer.allocate(8).putLong(id).array());
            }
            n.pump();
        } catch (ProposalRefusedException e) {
            refused++;
            writes.remove(id);
            reads.remove(id);
            events.after(5 + random.nextInt(20), null, () -> next(client));
            return;
        }
        events.after(TIMEOUT_MS, null, () -> timeout(p));
    }

    private void timeout(Pending p) {
        Map<Long, Pending> m = p.write() ? writes : reads;
        if (m.remove(p.id()) == null) {
            return;
        }
        timedOut++;
        if (p.write()) {
            history(p.key()).add(new LinearizabilityChecker.Op(true, p.id(), p.callMs(), Long.MAX_VALUE));
        }
        events.after(random.nextInt(20), null, () -> next(p.client()));
    }

    /** A member applied the write {@code requestId}. */
    void applied(SimNode n, long requestId) {
        Pending p = writes.get(requestId);
        if (p == null || p.nodeId() != n.id) {
            return;
        }
        writes.remove(requestId);
        acked.add(requestId);
        writesAcked++;
        lastAckMs = events.nowMs();
        history(p.key()).add(new LinearizabilityChecker.Op(true, requestId, p.callMs(), events.nowMs()));
        events.after(random.nextInt(20), null, () -> next(p.client()));
    }

    /** A member may now serve the read identified by {@code context}. */
    void readServed(SimNode n, byte[] context, KvStateMachine sm) {
        long id = ByteBuffer.wrap(context).getLong();
        Pending p = reads.get(id);
        if (p == null || p.nodeId() != n.id) {
            return;
        }
        reads.remove(id);
        readsServed++;
        history(p.key()).add(new LinearizabilityChecker.Op(false, sm.value(p.key()), p.callMs(), events.nowMs()));
        events.after(random.nextInt(20), null, () -> next(p.client()));
    }

    /** Writes still waiting when the run ends have an unknown outcome. */
    void finish() {
        for (Pending p : new ArrayList<>(writes.values())) {
            history(p.key()).add(new LinearizabilityChecker.Op(true, p.id(), p.callMs(), Long.MAX_VALUE));
        }
        writes.clear();
        reads.clear();
    }

    private List<LinearizabilityChecker.Op> history(int key) {
        return histories.computeIfAbsent(key, k -> new ArrayList<>());
    }

    Map<Integer, List<LinearizabilityChecker.Op>> histories() {
        return histories;
    }
}
