package io.etcdj.raft.sim;

import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Entry;
import io.etcdj.raft.MemoryStorage;
import io.etcdj.raft.Message;
import io.etcdj.raft.ProposalRefusedException;
import io.etcdj.raft.RaftConfig;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.raft.Role;
import io.etcdj.raft.Snapshot;
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
    record Result(long seed, long events, long messages, int leaderTerms, long committed, long writesAcked,
                  long readsServed, int members, long simulatedMs) {
    }

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
    private long nextMemberId;
    private boolean chaos = true;
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
        return RaftConfig.builder(id, storage, r).electionTicks(10).heartbeatTicks(2).preVote(preVote)
                .checkQuorum(checkQuorum).forwardProposals(forward).maxSizePerMsgBytes(maxSizePerMsgBytes)
                .maxInflightMsgs(maxInflightMsgs).maxInflightBytes(maxInflightBytes).maxPendingReads(64)
                .maxUncommittedBytes(64 << 10).build();
    }

    private SimNode newNode(long id) {
        SplittableRandom r = random.split();
        SimNode n = new SimNode(id, events, r.split(), hooks, s -> configFor(id, s, r.split()), snapshotEvery,
                keepBehind);
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
            network.send(m, got -> {
                SimNode to = nodes.get(got.to());
                if (to != null) {
                    if (trace != null) {
                        trace.println(events.nowMs() + " deliver " + got);
                    }
                    to.deliver(got);
                }
            }, m instanceof Message.SnapshotRequest ? ok -> {
                SimNode from = nodes.get(m.from());
                if (from != null && from.up()) {
                    from.node.reportSnapshot(m.to(), ok);
                    from.pump();
                }
            } : null);
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
        scheduleNemesis();
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
        }
        clients.finish();
        try {
            checkEnd();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + describeNodes(), e);
        }
        return new Result(seed, eventCount, network.delivered, checker.leaderTerms(), checker.committedIndex(),
                clients.writesAcked, clients.readsServed, nodes.size(), events.nowMs());
    }

    // ---- nemesis -------------------------------------------------------------------------------

    private void scheduleNemesis() {
        events.after(50 + random.nextInt(400), null, () -> {
            if (!chaos) {
                return;
            }
            int pick = random.nextInt(12);
            switch (pick) {
                case 0, 1 -> partition();
                case 2, 3 -> crashOne();
                case 4 -> flakyNetwork();
                case 5, 6 -> changeMembership();
                case 7 -> transferLeadership();
                case 8 -> crashLeader();
                case 9 -> isolateLeader();
                default -> { }
            }
            scheduleNemesis();
        });
    }

    private void trace(String s) {
        if (trace != null) {
            trace.println(events.nowMs() + " " + s);
        }
    }

    private void partition() {
        List<Long> ids = new ArrayList<>(nodes.keySet());
        boolean isolateOne = random.nextBoolean();
        long lonely = ids.get(random.nextInt(ids.size()));
        for (long id : ids) {
            network.setSide(id, isolateOne ? (id == lonely ? 1 : 0) : random.nextInt(2));
        }
        trace("partition " + (isolateOne ? "isolate " + lonely : "random split"));
        long healAfter = 200 + random.nextInt(1800);
        events.after(healAfter, null, () -> {
            if (chaos) {
                network.heal();
                trace("partition healed");
            }
        });
    }

    private void crashOne() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up()) {
                up.add(n);
            }
        }
        if (up.isEmpty()) {
            return;
        }
        SimNode n = up.get(random.nextInt(up.size()));
        n.crash();
        trace("crash " + n.id);
        events.after(50 + random.nextInt(1500), null, () -> restartIfMember(n));
    }

    /** Leader churn is where commitment bugs (Raft's figure 8) hide. */
    private void crashLeader() {
        SimNode leader = leader();
        if (leader != null) {
            leader.crash();
            trace("crash leader " + leader.id);
            events.after(20 + random.nextInt(600), null, () -> restartIfMember(leader));
        }
    }

    private void isolateLeader() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        network.setSide(leader.id, 1);
        trace("isolate leader " + leader.id);
        events.after(50 + random.nextInt(800), null, () -> {
            if (chaos) {
                network.heal();
                trace("partition healed");
            }
        });
    }

    private void restartIfMember(SimNode n) {
        if (!n.up() && n.removedAtMs < 0) {
            n.start();
            trace("restart " + n.id);
        }
    }

    private void flakyNetwork() {
        network.dropRate = new double[] {0, 0.02, 0.1, 0.3}[random.nextInt(4)];
        network.duplicateRate = new double[] {0, 0.05}[random.nextInt(2)];
        network.maxDelayMs = new int[] {3, 10, 40}[random.nextInt(3)];
        trace("network drop=" + network.dropRate + " dup=" + network.duplicateRate + " maxDelay="
                + network.maxDelayMs);
    }

    private SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes.values()) {
            if (n.up() && n.node.softState().role() == Role.LEADER
                    && (best == null || n.node.hardState().term() > best.node.hardState().term())) {
                best = n;
            }
        }
        return best;
    }

    private void changeMembership() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        ConfState conf = leader.node.confState();
        List<Long> learners = new ArrayList<>(conf.learners());
        List<Long> members = new ArrayList<>(conf.voters());
        members.addAll(learners);
        int pick = random.nextInt(4);
        ConfChange cc;
        if (pick == 0 && members.size() < 7) {
            cc = ConfChange.of(ConfChangeType.ADD_LEARNER, nextMemberId);
        } else if (pick == 1 && members.size() < 7 && conf.voters().size() < 5) {
            cc = ConfChange.of(ConfChangeType.ADD_VOTER, nextMemberId);
        } else if (pick == 2 && !learners.isEmpty()) {
            cc = ConfChange.of(ConfChangeType.PROMOTE_LEARNER, learners.get(random.nextInt(learners.size())));
        } else if (pick == 3 && conf.voters().size() > 1) {
            cc = ConfChange.of(ConfChangeType.REMOVE, members.get(random.nextInt(members.size())));
        } else {
            return;
        }
        try {
            leader.node.proposeConfChange(cc);
            leader.pump();
        } catch (ProposalRefusedException e) {
            trace("membership " + cc + " refused: " + e.reason());
            return;
        }
        trace("membership " + cc + " proposed on " + leader.id);
        if (cc.type() == ConfChangeType.ADD_LEARNER || cc.type() == ConfChangeType.ADD_VOTER) {
            SimNode n = newNode(nextMemberId++);
            // a voter may be added before its process starts: it counts toward quorum at once
            events.after(cc.type() == ConfChangeType.ADD_VOTER ? random.nextInt(1000) : 0, null, () -> {
                if (!n.up() && n.removedAtMs < 0) {
                    n.start();
                    trace("start new member " + n.id);
                }
            });
        } else if (cc.type() == ConfChangeType.REMOVE) {
            long removed = cc.nodeId();
            events.after(500 + random.nextInt(2500), null, () -> retireIfRemoved(removed));
        }
    }

    /** Stops a removed member's process for good, once the leader's membership no longer has it. */
    private void retireIfRemoved(long id) {
        SimNode n = nodes.get(id);
        SimNode leader = leader();
        if (n.removedAtMs >= 0) {
            return;
        }
        if (leader == null || leader.node.confState().isMember(id)) {
            events.after(500, null, () -> retireIfRemoved(id)); // not (yet) in effect
            return;
        }
        n.removedAtMs = events.nowMs();
        if (n.up()) {
            n.crash();
        }
        trace("retire removed member " + id);
    }

    private void transferLeadership() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        List<Long> voters = new ArrayList<>(leader.node.confState().voters());
        long to = voters.get(random.nextInt(voters.size()));
        List<SimNode> live = liveMembers();
        SimNode via = live.isEmpty() ? leader : live.get(random.nextInt(live.size()));
        try {
            via.node.transferLeadership(to);
            via.pump();
            trace("transfer leadership to " + to + " via " + via.id);
        } catch (ProposalRefusedException e) {
            trace("transfer to " + to + " refused: " + e.reason());
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
            if (n == null || !n.up() || n.sm.appliedIndex() != leader.sm.appliedIndex()
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
        for (Map.Entry<Integer, List<LinearizabilityChecker.Op>> h : clients.histories().entrySet()) {
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
            sb.append(' ').append(n.node.status()).append(" smApplied=").append(n.sm.appliedIndex()).append('\n');
        }
        return sb.toString();
    }

    private void checkConverged(SimNode leader, long id) {
        SimNode n = nodes.get(id);
        if (n == null || !n.up()) {
            throw new AssertionError("liveness: member " + id + " is not running at the end");
        }
        if (n.sm.appliedIndex() != leader.sm.appliedIndex() || n.sm.rollingHash() != leader.sm.rollingHash()) {
            throw new AssertionError("convergence: member " + id + " applied " + n.sm.appliedIndex()
                    + " but leader " + leader.id + " applied " + leader.sm.appliedIndex());
        }
    }
}
