package io.etcdj.raft;

/** The single-step membership changes the core accepts, with etcd's rules. */
public enum ConfChangeType {
    /** Add a new member as a voter; it counts toward quorum as soon as the change is applied. */
    ADD_VOTER,
    /** Add a new member as a learner: it receives the log but never votes nor counts. */
    ADD_LEARNER,
    /** Turn a learner into a voter; the leader refuses while the learner is not caught up. */
    PROMOTE_LEARNER,
    /** Remove a voter or a learner; a removed leader hands over to a caught-up voter, then steps down. */
    REMOVE
}
