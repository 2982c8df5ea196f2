package io.etcdj.server.sim;

import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.node.MembershipOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Membership changes during the faults, as an operator makes them through the leader's {@code MembershipOps} (what
 * {@code ClusterService} calls): add a learner (or, now and then, a voter) and start it as a new, empty member that
 * joins the running cluster; promote the learner once it has caught up; remove a member (a voter only while more than
 * three remain). A removed member learns it from its own log or from its peers, which refuse its messages once they
 * have applied the removal ({@link SimNetwork}), and stops after two election timeouts, as the server does; it is
 * never restarted (a removed member that was down is started once more by the nemesis, and learns it so).
 * {@code -Detcdj.sim.membership=false} makes none.
 */
final class SimMembership {
    private final SimEvents events;
    private final SplittableRandom random;
    /** The run's members (current and on their way out); members join it when added and leave it once stopped. */
    private final List<SimMember> members;

    private final SimNetwork network;
    /** Makes a member for a newly added member record and the membership after the add. */
    private final Function<Joiner, SimMember> newMember;

    private final int maxVoters;
    private final boolean on = !"false".equals(System.getProperty("etcdj.sim.membership"));
    private int nextName;
    private long untilMs;
    int changes;

    /** A member added to the cluster: its record and the membership after the add. */
    record Joiner(MemberInfo info, List<MemberInfo> members) {}

    SimMembership(
            SimEvents events,
            SplittableRandom random,
            List<SimMember> members,
            SimNetwork network,
            Function<Joiner, SimMember> newMember) {
        this.events = events;
        this.random = random;
        this.members = members;
        this.network = network;
        this.newMember = newMember;
        this.maxVoters = members.size() + 1;
        this.nextName = members.size() + 1;
    }

    void start(long untilMs) {
        this.untilMs = untilMs;
        if (on) {
            events.after(200 + random.nextInt(800), null, this::change);
        }
    }

    private void change() {
        if (events.nowMs() >= untilMs) {
            return;
        }
        events.after(200 + random.nextInt(1000), null, this::change);
        SimMember leader = leader();
        if (leader == null) {
            return;
        }
        MemberRegistry.Members now = leader.live().registry().members();
        MembershipOps ops = new MembershipOps(
                leader.raft(), leader.live().registry(), network.transport(leader.raftId), false, 1, 1, events::nowMs);
        List<MemberInfo> learners =
                now.list().stream().filter(MemberInfo::learner).toList();
        long voters = now.list().size() - learners.size();
        int what = random.nextInt(3);
        if (!learners.isEmpty() && what == 0) {
            MemberInfo l = learners.get(0);
            events.trace("membership: promote " + name(l.id()) + " at " + leader.name());
            ops.promote(l.id()).whenComplete((r, err) -> events.guard(() -> outcome("promote " + name(l.id()), err)));
        } else if (what == 1 && now.list().size() < maxVoters + 1) {
            boolean learner = learners.isEmpty() && random.nextInt(4) != 0;
            if (!learner && voters >= maxVoters) {
                return;
            }
            add(leader, ops, learner);
        } else if (what == 2) {
            List<MemberInfo> removable =
                    now.list().stream().filter(m -> m.learner() || voters > 3).toList();
            if (removable.isEmpty()) {
                return;
            }
            MemberInfo m = removable.get(random.nextInt(removable.size()));
            remove(leader, ops, m);
        }
    }

    private void add(SimMember leader, MembershipOps ops, boolean learner) {
        String name = "m" + nextName++;
        List<String> urls = List.of("http://" + name + ":2380");
        events.trace("membership: add " + (learner ? "learner " : "voter ") + name + " at " + leader.name());
        ops.add(urls, learner)
                .whenComplete((added, err) -> events.guard(() -> {
                    outcome("add " + name, err);
                    if (err != null) {
                        return; // it may have been added all the same: a member that never starts (as an operator's
                        // typo)
                    }
                    MemberInfo info = new MemberInfo(added.member().id(), name, urls, List.of(), learner);
                    SimMember m = newMember.apply(new Joiner(
                            info,
                            added.members().list().stream()
                                    .map(x -> x.id() == info.id() ? info : x)
                                    .toList()));
                    events.after(
                            random.nextInt(500),
                            null,
                            () -> { // the operator starts it (not inside a member's turn)
                                members.add(m);
                                if (!m.isUp() && !m.removed) {
                                    try {
                                        m.start();
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                }
                            });
                }));
    }

    private void remove(SimMember leader, MembershipOps ops, MemberInfo info) {
        events.trace("membership: remove " + name(info.id()) + " at " + leader.name());
        ops.remove(info.id())
                .whenComplete((r, err) -> events.guard(() -> {
                    outcome("remove " + name(info.id()), err);
                }));
    }

    /**
     * After the faults: a removed member that has not learned it (a learner sends nothing, and etcdj's peer transport
     * hears of a removal only in answer to a message, where etcd's stream readers are refused at once) is stopped by
     * the operator.
     */
    void stopUnaware(Set<Long> removedIds) {
        for (SimMember m : List.copyOf(members)) {
            if (m.isUp() && !m.stopping && removedIds.contains(m.info.id())) {
                events.trace("membership: the operator stops " + m.name() + ", removed but unaware of it");
                stopRemoved(m);
            }
        }
    }

    /** A member that learned of its removal: it stops after two election timeouts, as the server does. */
    void stopRemoved(SimMember m) {
        if (m.stopping) {
            return;
        }
        m.stopping = true;
        events.after(2 * SimMember.ELECTION_MS, null, () -> {
            m.removed = true;
            try {
                if (m.isUp()) {
                    m.stop();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            members.remove(m);
            events.trace(m.name() + " stopped: removed from the cluster");
        });
    }

    private void outcome(String what, Throwable err) {
        if (err == null) {
            changes++;
        }
        events.trace("membership: " + what + (err == null ? " done" : " failed: " + err));
    }

    private String name(long id) {
        return members.stream()
                .filter(m -> m.info.id() == id)
                .map(SimMember::name)
                .findFirst()
                .orElse(Long.toHexString(id));
    }

    private SimMember leader() {
        for (SimMember m : members) {
            if (m.isUp() && !m.removed && m.raft().status().leaderId() == m.info.id()) {
                return m;
            }
        }
        return null;
    }
}
