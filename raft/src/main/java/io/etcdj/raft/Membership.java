package io.etcdj.raft;

import io.etcdj.raft.ProposalRefusedException.Reason;
import java.util.TreeSet;

/**
 * Single-step membership changes with etcd's rules: validation when the leader accepts a proposal, and the
 * switch to the new configuration when the change is applied. Rules: one change pending at a time; add
 * only a non-member; promote only a learner that has caught up; remove only a member, and never the last
 * voter. A voter counts toward quorum from the moment its addition is applied, even before its process
 * has started.
 */
final class Membership {
    /** A learner is ready for promotion once its match index reaches this share of the leader's. */
    private static final int LEARNER_READY_PERCENT = 90;

    private final Raft r;
    /** Index up to which the membership in force reflects the log (applied change or installed snapshot). */
    private long configIndex;

    Membership(Raft r) {
        this.r = r;
        this.configIndex = r.log.applied();
    }

    /** Whether a committed membership change is still waiting to be applied. */
    boolean hasUnappliedConfChange() {
        long lo = r.log.applied() + 1;
        long hi = r.log.committed() + 1;
        if (lo >= hi) {
            return false;
        }
        for (Entry e : r.log.slice(Math.max(lo, r.log.firstIndex()), hi, Long.MAX_VALUE)) {
            if (e.type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    /** Refuses a proposed change that breaks a rule; called on the leader before appending. */
    void validateProposal(ConfChange cc) {
        if (r.leader.pendingConfIndex > r.log.applied()) {
            throw new ProposalRefusedException(
                    Reason.CONF_CHANGE_PENDING,
                    "membership change at index " + r.leader.pendingConfIndex + " not applied yet (applied "
                            + r.log.applied() + ")");
        }
        String broken = brokenRule(cc, r.tracker.config());
        if (broken != null) {
            throw new ProposalRefusedException(Reason.INVALID_CONF_CHANGE, broken);
        }
        if (cc.type() == ConfChangeType.PROMOTE_LEARNER && !learnerReady(cc.nodeId())) {
            throw new ProposalRefusedException(
                    Reason.LEARNER_NOT_READY, "learner " + cc.nodeId() + " has not caught up");
        }
    }

    private boolean learnerReady(long learner) {
        Progress self = r.tracker.get(r.id);
        Progress pr = r.tracker.get(learner);
        if (self == null || pr == null) {
            return false;
        }
        long leaderMatch = Math.max(self.match, r.log.committed());
        return pr.match * 100 >= leaderMatch * LEARNER_READY_PERCENT;
    }

    /** The rule {@code cc} breaks against {@code conf}, or null if it is valid. */
    static String brokenRule(ConfChange cc, ConfState conf) {
        long id = cc.nodeId();
        return switch (cc.type()) {
            case ADD_VOTER, ADD_LEARNER -> conf.isMember(id) ? "member " + id + " already exists" : null;
            case PROMOTE_LEARNER -> conf.learners().contains(id) ? null : "member " + id + " is not a learner";
            case REMOVE -> {
                if (!conf.isMember(id)) {
                    yield "member " + id + " does not exist";
                }
                yield conf.voters().size() == 1 && conf.voters().contains(id)
                        ? "cannot remove the last voter " + id
                        : null;
            }
        };
    }

    /** The configuration after applying {@code cc} to {@code conf}. */
    static ConfState next(ConfChange cc, ConfState conf) {
        TreeSet<Long> voters = new TreeSet<>(conf.voters());
        TreeSet<Long> learners = new TreeSet<>(conf.learners());
        long id = cc.nodeId();
        switch (cc.type()) {
            case ADD_VOTER -> voters.add(id);
            case ADD_LEARNER -> learners.add(id);
            case PROMOTE_LEARNER -> {
                learners.remove(id);
                voters.add(id);
            }
            case REMOVE -> {
                voters.remove(id);
                learners.remove(id);
            }
        }
        return new ConfState(voters, learners);
    }

    /**
     * Applies the change in a committed entry the application has applied, unless an installed snapshot
     * already covers it.
     */
    void applyCommitted(Entry e) {
        if (e.index() > configIndex) {
            apply(RaftCodec.decodeConfChange(e.data()));
            configIndex = e.index();
        }
    }

    private void apply(ConfChange cc) {
        String broken = brokenRule(cc, r.tracker.config());
        if (broken != null) {
            throw new IllegalStateException("invariant: committed membership change " + cc + " is invalid: " + broken);
        }
        boolean wasVoter = r.tracker.isVoter(r.id);
        r.tracker.setConfig(next(cc, r.tracker.config()), r.log.lastIndex() + 1);
        if (wasVoter && !r.tracker.isVoter(r.id)) {
            r.handoverCampaignsLeft = Raft.HANDOVER_CAMPAIGNS;
        }
        if (r.role == Role.LEADER) {
            r.leader.onConfigChanged();
        }
    }

    /** Adopts the configuration of a snapshot being installed. */
    void restoreConfig(SnapshotMetadata meta) {
        configIndex = meta.index();
        r.tracker.setConfig(meta.confState(), r.log.lastIndex() + 1);
    }
}
