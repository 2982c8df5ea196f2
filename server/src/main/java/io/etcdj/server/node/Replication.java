package io.etcdj.server.node;

import io.etcdj.raft.Status;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * How far the members' logs are, as this member's raft core sees them (the web console's cluster view). Only a
 * leader knows its followers' logs: elsewhere {@code members} is empty.
 *
 * @param lastIndex    the last index in this member's log
 * @param commitIndex  the highest index known committed
 * @param appliedIndex the highest index applied here
 * @param members      per member (this one too, on the leader): how far its log matches the leader's
 */
public record Replication(long lastIndex, long commitIndex, long appliedIndex, List<Member> members) {
    /** The replication {@code s} shows, members named by their etcd ID ({@code memberIdOf} a raft ID). */
    static Replication of(Status s, LongUnaryOperator memberIdOf) {
        return new Replication(
                s.lastIndex(),
                s.hardState().commit(),
                s.applied(),
                s.progress().entrySet().stream()
                        .map(e -> new Member(
                                memberIdOf.applyAsLong(e.getKey()),
                                e.getValue().match(),
                                e.getValue().recentActive(),
                                e.getValue().learner(),
                                e.getValue().state().name()))
                        .toList());
    }

    /**
     * The leader's view of one member.
     *
     * @param id     etcd's member ID
     * @param match  highest index known replicated there
     * @param active heard from within the current CheckQuorum window
     * @param state  the flow-control state (PROBE, REPLICATE, SNAPSHOT)
     */
    public record Member(long id, long match, boolean active, boolean learner, String state) {}
}
