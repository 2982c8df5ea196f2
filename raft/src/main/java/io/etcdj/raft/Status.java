package io.etcdj.raft;

import java.util.Map;

/**
 * A point-in-time view of a member for the Status RPC, metrics and the learner-in-sync check.
 *
 * @param id             this member
 * @param hardState      term, vote, commit
 * @param softState      leader, role
 * @param applied        highest applied index
 * @param lastIndex      last index in the log
 * @param leadTransferee member leadership is being handed to, or 0
 * @param confState      membership in force
 * @param progress       per-member replication progress; empty unless this member leads
 */
public record Status(
        long id,
        HardState hardState,
        SoftState softState,
        long applied,
        long lastIndex,
        long leadTransferee,
        ConfState confState,
        Map<Long, MemberProgress> progress) {

    /** Copies the map. */
    public Status {
        progress = Map.copyOf(progress);
    }

    /**
     * The leader's view of one member's log.
     *
     * @param match         highest index known replicated
     * @param next          next index to send
     * @param state         flow-control state
     * @param recentActive  heard from within the current CheckQuorum window
     * @param paused        no append will be sent until an answer arrives
     * @param learner       whether the member is a learner
     * @param inflightCount appends in flight
     */
    public record MemberProgress(
            long match,
            long next,
            ProgressState state,
            boolean recentActive,
            boolean paused,
            boolean learner,
            int inflightCount) {}
}
