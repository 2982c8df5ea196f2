package io.etcdj.raft.sim;

import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.ProposalRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulation's adversary: at random moments it partitions the network (at random, or around the
 * leader), crashes and restarts members (leaders included), makes the network flaky, changes membership
 * (add learner, add voter before its process starts, promote, remove) and transfers leadership.
 */
final class Nemesis {
    private final Simulation sim;
    private final Map<Long, SimNode> nodes;
    private final SimNetwork network;
    private final EventQueue events;
    private final SplittableRandom random;

    Nemesis(Simulation sim, Map<Long, SimNode> nodes, SimNetwork network, EventQueue events, SplittableRandom random) {
        this.sim = sim;
        this.nodes = nodes;
        this.network = network;
        this.events = events;
        this.random = random;
    }

    void schedule() {
        events.after(50 + random.nextInt(400), null, () -> {
            if (!sim.chaos) {
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
                default -> {}
            }
            schedule();
        });
    }

    private void partition() {
        List<Long> ids = new ArrayList<>(nodes.keySet());
        boolean isolateOne = random.nextBoolean();
        long lonely = ids.get(random.nextInt(ids.size()));
        for (long id : ids) {
            network.setSide(id, isolateOne ? (id == lonely ? 1 : 0) : random.nextInt(2));
        }
        sim.trace("partition " + (isolateOne ? "isolate " + lonely : "random split"));
        long healAfter = 200 + random.nextInt(1800);
        events.after(healAfter, null, () -> {
            if (sim.chaos) {
                network.heal();
                sim.trace("partition healed");
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
        sim.trace("crash " + n.id);
        events.after(50 + random.nextInt(1500), null, () -> restartIfMember(n));
    }

    /** Leader churn is where commitment bugs (Raft's figure 8) hide. */
    private void crashLeader() {
        SimNode leader = sim.leader();
        if (leader != null) {
            leader.crash();
            sim.trace("crash leader " + leader.id);
            events.after(20 + random.nextInt(600), null, () -> restartIfMember(leader));
        }
    }

    private void isolateLeader() {
        SimNode leader = sim.leader();
        if (leader == null) {
            return;
        }
        network.setSide(leader.id, 1);
        sim.trace("isolate leader " + leader.id);
        events.after(50 + random.nextInt(800), null, () -> {
            if (sim.chaos) {
                network.heal();
                sim.trace("partition healed");
            }
        });
    }

    private void restartIfMember(SimNode n) {
        if (!n.up() && n.removedAtMs < 0) {
            n.start();
            sim.trace("restart " + n.id);
        }
    }

    private void flakyNetwork() {
        network.dropRate = new double[] {0, 0.02, 0.1, 0.3}[random.nextInt(4)];
        network.duplicateRate = new double[] {0, 0.05}[random.nextInt(2)];
        network.maxDelayMs = new int[] {3, 10, 40}[random.nextInt(3)];
        sim.trace("network drop=" + network.dropRate + " dup=" + network.duplicateRate + " maxDelay="
                + network.maxDelayMs);
    }

    private void changeMembership() {
        SimNode leader = sim.leader();
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
            cc = ConfChange.of(ConfChangeType.ADD_LEARNER, sim.nextMemberId);
        } else if (pick == 1 && members.size() < 7 && conf.voters().size() < 5) {
            cc = ConfChange.of(ConfChangeType.ADD_VOTER, sim.nextMemberId);
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
            sim.trace("membership " + cc + " refused: " + e.reason());
            return;
        }
        sim.trace("membership " + cc + " proposed on " + leader.id);
        if (cc.type() == ConfChangeType.ADD_LEARNER || cc.type() == ConfChangeType.ADD_VOTER) {
            SimNode n = sim.newNode(sim.nextMemberId++);
            // a voter may be added before its process starts: it counts toward quorum at once
            events.after(cc.type() == ConfChangeType.ADD_VOTER ? random.nextInt(1000) : 0, null, () -> {
                if (!n.up() && n.removedAtMs < 0) {
                    n.start();
                    sim.trace("start new member " + n.id);
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
        SimNode leader = sim.leader();
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
        sim.trace("retire removed member " + id);
    }

    private void transferLeadership() {
        SimNode leader = sim.leader();
        if (leader == null) {
            return;
        }
        List<Long> voters = new ArrayList<>(leader.node.confState().voters());
        long to = voters.get(random.nextInt(voters.size()));
        List<SimNode> live = sim.liveMembers();
        SimNode via = live.isEmpty() ? leader : live.get(random.nextInt(live.size()));
        try {
            via.node.transferLeadership(to);
            via.pump();
            sim.trace("transfer leadership to " + to + " via " + via.id);
        } catch (ProposalRefusedException e) {
            sim.trace("transfer to " + to + " refused: " + e.reason());
        }
    }
}
