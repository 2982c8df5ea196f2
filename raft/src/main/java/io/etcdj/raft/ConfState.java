package io.etcdj.raft;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A membership configuration: who votes and who only learns. A member is in at most one of the sets.
 *
 * @param voters   ids that vote and count toward quorum, ascending
 * @param learners ids that receive the log but never vote nor count, ascending
 */
public record ConfState(SortedSet<Long> voters, SortedSet<Long> learners) {
    /** The configuration of a member that knows of no one yet (a member that is joining). */
    public static final ConfState EMPTY = new ConfState(new TreeSet<>(), new TreeSet<>());

    /** Copies the sets and checks that no id is in both. */
    public ConfState {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        for (long id : voters) {
            if (id <= 0) {
                throw new IllegalArgumentException("member id must be positive: " + id);
            }
            if (learners.contains(id)) {
                throw new IllegalArgumentException("member " + id + " is both voter and learner");
            }
        }
        for (long id : learners) {
            if (id <= 0) {
                throw new IllegalArgumentException("member id must be positive: " + id);
            }
        }
    }

    /** A configuration of the given voters and no learners. */
    public static ConfState ofVoters(Collection<Long> voters) {
        return new ConfState(new TreeSet<>(voters), new TreeSet<>());
    }

    /** Whether {@code id} is a voter or a learner. */
    public boolean isMember(long id) {
        return voters.contains(id) || learners.contains(id);
    }
}
