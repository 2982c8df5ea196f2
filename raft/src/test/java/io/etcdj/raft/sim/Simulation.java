package io.etcdj.raft.sim;

import io.etcdj.raft.ConfState;
import io.etcdj.raft.Entry;
import io.etcdj.raft.MemoryStorage;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Role;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.check.LinearizabilityChecker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One seeded whole-cluster run: members on simulated disks and a simulated network, clients writing and
 * reading, and a nemesis that partitions, crashes, restarts, changes membership and transfers leadership.
 * Every invariant of {@link InvariantChecker} is checked after every event; at the end the faults stop and
 * the run checks that the cluster converges and makes progress, that no acknowledged write was lost, and
 * that each register's history is linearizable. The run is a pure function of its seed.
 */
final class Simulation {
    /** Figures from one run. */
    record Result(
            long seed,
            long events,
            long messages,
            int leaderTerms,
            long committed,
            long writesAcked,
            long readsServed,
            int members,
            long simulatedMs) {}

    static final long TICK_MS = 10;
    /** Clients keep running at least this long after the faults stop. */
    static final long CLIENTS_AFTER_HEAL_MS = 2500;
    /** The cluster must have made progress and converged this long after the faults stop. */
    static final long SETTLE_DEADLINE_MS = 20_000;

    private final long seed;
    private final SplittableRandom random;
    private final EventQueue events = new EventQueue();
    private final SimNetwork network;
    private final InvariantChecker checker = new InvariantChecker();
    private final SimClients clients;
    private final Map<Long, SimNode> nodes = new TreeMap<>();
    private final PrintStream trace;
    private final long chaosMs;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final boolean forward;
    private final long maxSizePerMsgBytes;
    private final int maxInflightMsgs;
    private final long maxInflightBytes;
    private final int snapshotEvery;
    private final int keepBehind;
    long nextMemberId;
    boolean chaos = true;
    private boolean clientsStopped;
    private boolean settled;
    private long eventCount;

    Simulation(long seed, long chaosMs, PrintStream trace) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.chaosMs = chaosMs;
        this.trace = trace;
        this.network = new SimNetwork(events, random.split());
        this.clients = new SimClients(events, random.split(), this::liveMembers);
        this.preVote = random.nextInt(4) != 0;
        this.checkQuorum = random.nextInt(4) != 0;
        this.forward = random.nextInt(5) != 0;
        this.maxSizePerMsgBytes = new long[] {64, 512, 1 << 20}[random.nextInt(3)];
        this.maxInflightMsgs = new int[] {1, 4, 256}[random.nextInt(3)];
        this.maxInflightBytes = new long[] {0, 2048}[random.nextInt(2)];
        this.snapshotEvery = new int[] {20, 60, 400}[random.nextInt(3)];
        this.keepBehind = new int[] {0, 5, 50}[random.nextInt(3)];
    }

    private RaftConfig configFor(long id, MemoryStorage storage, SplittableRandom r) {
        return RaftConfig.builder(id, storage, r)
                .electionTicks(10)
                .heartbeatTicks(2)
                .preVote(preVote)
                .checkQuorum(checkQuorum)
                .forwardProposals(forward)
                .maxSizePerMsgBytes(maxSizePerMsgBytes)
                .maxInflightMsgs(maxInflightMsgs)
                .maxInflightBytes(maxInflightBytes)
                .maxPendingReads(64)
                .maxUncommittedBytes(64 << 10)
                .build();
    }

    SimNode newNode(long id) {
        SplittableRandom r = random.split();
        SimNode n =
                new SimNode(id, events, r.split(), hooks, s -> configFor(id, s, r.split()), snapshotEvery, keepBehind);
        nodes.put(id, n);
        long phase = r.nextInt((int) TICK_MS);
        long tickMs = TICK_MS - 1 + r.nextInt(3); // clocks drift: each member ticks at its own rate
        events.after(phase, null, () -> tickLoop(n, tickMs));
        return n;
    }

    private void tickLoop(SimNode n, long tickMs) {
        n.tick();
        events.after(tickMs, null, () -> tickLoop(n, tickMs));
    }

    private final SimNode.Hooks hooks = new SimNode.Hooks() {
        @Override
        public void persisted(SimNode n, Ready rd) {
            checker.persisted(n, rd.entries(), n.live);
        }

        @Override
        public void snapshotInstalled(SimNode n, Snapshot s) {
            checker.snapshotInstalled(n, s, n.sm.rollingHash());
        }

        @Override
        public void applied(SimNode n, Entry e, long requestId) {
            checker.applied(n, e, n.sm.rollingHash());
            if (requestId != 0) {
                clients.applied(n, requestId);
            }
        }

        @Override
        public void readServed(SimNode n, byte[] context, KvStateMachine sm) {
            clients.readServed(n, context, sm);
        }

        @Override
        public void send(Message m) {
            network.send(
                    m,
                    got -> {
                        SimNode to = nodes.get(got.to());
                        if (to != null) {
                            if (trace != null) {
                                trace.println(events.nowMs() + " deliver " + got);
                            }
                            to.deliver(got);
                        }
                    },
                    m instanceof Message.SnapshotRequest
                            ? ok -> {
                                SimNode from = nodes.get(m.from());
                                if (from != null && from.up()) {
                                    from.node.reportSnapshot(m.to(), ok);
                                    from.pump();
                                }
                            }
                            : null);
        }
    };

    /** Runs the whole scenario and returns its figures; throws {@link AssertionError} on any violation. */
    Result run() {
        int voters = new int[] {1, 3, 3, 5, 5}[random.nextInt(5)];
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= voters; id++) {
            ids.add(id);
        }
        nextMemberId = voters + 1;
        for (long id : ids) {
            SimNode n = newNode(id);
            RaftNode.bootstrap(n.disk.image(), ids);
            n.start();
        }
        clients.start(3);
        new Nemesis(this, nodes, network, events, random).schedule();
        events.at(chaosMs, "heal", this::heal);
        long deadlineMs = chaosMs + SETTLE_DEADLINE_MS;
        events.at(chaosMs + CLIENTS_AFTER_HEAL_MS, null, this::settleCheck);
        while (!settled) {
            EventQueue.Event e = events.next();
            if (e == null || e.timeMs() > deadlineMs) {
                break;
            }
            if (trace != null && e.label() != null) {
                trace.println(e.timeMs() + " " + e.label());
            }
            e.action().run();
            eventCount++;
            checker.afterEvent(nodes.values());
            if (trace != null) {
                traceRoleChanges();
            }
        }
        clients.finish();
        try {
            checkEnd();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + describeNodes(), e);
        }
        return new Result(
                seed,
                eventCount,
                network.delivered,
                checker.leaderTerms(),
                checker.committedIndex(),
                clients.writesAcked,
                clients.readsServed,
                nodes.size(),
                events.nowMs());
    }

    private final Map<Long, String> lastRoles = new TreeMap<>();

    private void traceRoleChanges() {
        for (SimNode n : nodes.values()) {
            String now = n.up()
                    ? n.node.softState().role() + " term " + n.node.hardState().term() + " leader "
                            + n.node.softState().leader()
                    : "DOWN";
            if (!now.equals(lastRoles.put(n.id, now))) {
                trace.println(events.nowMs() + " member " + n.id + " is " + now);
            }
        }
    }

    SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes.values()) {
            if (n.up()
                    && n.node.softState().role() == Role.LEADER
                    && (best == null
                            || n.node.hardState().term() > best.node.hardState().term())) {
                best = n;
            }
        }
        return best;
    }

    void trace(String s) {
        if (trace != null) {
            trace.println(events.nowMs() + " " + s);
        }
    }

    /**
     * After the faults stop, clients keep going until one write has been acknowledged; then the run waits
     * for every member to converge, giving up (and failing the liveness checks) at the deadline.
     */
    private void settleCheck() {
        if (!clientsStopped && clients.lastAckMs >= chaosMs) {
            clients.stop();
            clientsStopped = true;
        }
        if (clientsStopped && converged()) {
            settled = true;
            return;
        }
        events.after(100, null, this::settleCheck);
    }

    private boolean converged() {
        SimNode leader = leader();
        if (leader == null) {
            return false;
        }
        ConfState conf = leader.node.confState();
        List<Long> members = new ArrayList<>(conf.voters());
        members.addAll(conf.learners());
        for (long id : members) {
            SimNode n = nodes.get(id);
            if (n == null
                    || !n.up()
                    || n.sm.appliedIndex() != leader.sm.appliedIndex()
                    || n.node.lastIndex() != leader.node.lastIndex()) {
                return false;
            }
        }
        return true;
    }

    // ---- end of run ----------------------------------------------------------------------------

    private void heal() {
        chaos = false;
        network.heal();
        network.dropRate = 0;
        network.duplicateRate = 0;
        network.maxDelayMs = 5;
        for (SimNode n : nodes.values()) {
            if (!n.up() && n.removedAtMs < 0) {
                n.start();
            }
        }
        trace("heal: faults stop");
    }

    List<SimNode> liveMembers() {
        List<SimNode> out = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up() && n.node.confState().isMember(n.id)) {
                out.add(n);
            }
        }
        return out;
    }

    private void checkEnd() {
        SimNode leader = leader();
        if (leader == null) {
            throw new AssertionError("liveness: no leader " + (events.nowMs() - chaosMs) + " ms after faults stopped");
        }
        if (clients.lastAckMs < chaosMs) {
            throw new AssertionError("liveness: no write acknowledged after faults stopped");
        }
        ConfState conf = leader.node.confState();
        for (long id : conf.voters()) {
            checkConverged(leader, id);
        }
        for (long id : conf.learners()) {
            checkConverged(leader, id);
        }
        for (long rid : clients.acked) {
            if (!leader.sm.hasApplied(rid)) {
                throw new AssertionError("durability: acknowledged write " + rid + " is not in the final state");
            }
        }
        for (Map.Entry<Integer, List<LinearizabilityChecker.Op>> h :
                clients.histories().entrySet()) {
            if (!LinearizabilityChecker.check(h.getValue())) {
                throw new AssertionError("linearizability: register " + h.getKey() + " history is not linearizable:\n"
                        + LinearizabilityChecker.describe(h.getValue()));
            }
        }
    }

    private String describeNodes() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes.values()) {
            sb.append("  member ").append(n.id);
            if (!n.up()) {
                sb.append(n.removedAtMs >= 0 ? " retired" : " down").append('\n');
                continue;
            }
            sb.append(' ')
                    .append(n.node.status())
                    .append(" smApplied=")
                    .append(n.sm.appliedIndex())
                    .append('\n');
        }
        return sb.toString();
    }

    private void checkConverged(SimNode leader, long id) {
        SimNode n = nodes.get(id);
        if (n == null || !n.up()) {
            throw new AssertionError("liveness: member " + id + " is not running at the end");
        }
        if (n.sm.appliedIndex() != leader.sm.appliedIndex() || n.sm.rollingHash() != leader.sm.rollingHash()) {
            throw new AssertionError("convergence: member " + id + " applied " + n.sm.appliedIndex() + " but leader "
                    + leader.id + " applied " + leader.sm.appliedIndex());
        }
    }
}
