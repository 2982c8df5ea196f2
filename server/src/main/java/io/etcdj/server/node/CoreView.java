package io.etcdj.server.node;

import io.etcdj.raft.Role;
import io.etcdj.raft.SoftState;

/**
 * The raft core's state as the driver last published it, for any thread to read: the leader, the term, the commit
 * index, this member's role and whether it is a learner, and how many ticks have passed. Every field is written by
 * the driver thread only (volatile, so the other threads see its latest write); the core itself is the truth.
 */
final class CoreView {
    /** The leader's ID in the raft core; 0: none known. */
    private volatile long leaderId;

    private volatile long term;
    private volatile long commitIndex;
    private volatile boolean learner;
    private volatile Role role = Role.FOLLOWER;
    /** Ticks taken so far. */
    private volatile long tickCount;
    /** Driver thread only: the tick at which this member last lost (or started without) a leader. */
    private long noLeaderSinceTick;

    CoreView(long term, long commitIndex) {
        this.term = term;
        this.commitIndex = commitIndex;
    }

    long leaderId() {
        return leaderId;
    }

    long term() {
        return term;
    }

    long commitIndex() {
        return commitIndex;
    }

    boolean learner() {
        return learner;
    }

    Role role() {
        return role;
    }

    long tickCount() {
        return tickCount;
    }

    /** Driver: how many ticks have passed since the leader was lost (or since start, without one). */
    long ticksWithoutLeader() {
        return tickCount - noLeaderSinceTick;
    }

    /** Driver: {@code ticks} more ticks were taken; returns the tick count now. */
    long ticked(int ticks) {
        long now = tickCount + ticks;
        tickCount = now;
        return now;
    }

    /** Driver: a Ready's hard state says the term is {@code term}. */
    void term(long term) {
        this.term = term;
    }

    /** Driver: the core's state after a Ready was handled. */
    void advanced(long term, long commitIndex, boolean learner) {
        this.term = term;
        this.commitIndex = commitIndex;
        this.learner = learner;
    }

    /** Driver: the core's leader and role changed to {@code ss}'s. */
    void softState(SoftState ss) {
        if (ss.leader() != leaderId && ss.leader() == 0) {
            noLeaderSinceTick = tickCount;
        }
        leaderId = ss.leader();
        role = ss.role();
    }
}
