package io.etcdj.raft;

/**
 * The role a member plays.
 *
 * <p>Transitions (the only ones the core makes):
 * <pre>
 * FOLLOWER      -> PRE_CANDIDATE (election timeout, PreVote on) | CANDIDATE (timeout, PreVote off; or TimeoutNow)
 * PRE_CANDIDATE -> CANDIDATE (quorum of pre-votes) | FOLLOWER (lost, or heard a leader / higher term)
 * CANDIDATE     -> LEADER (quorum of votes) | FOLLOWER (lost, or heard a leader / higher term)
 * LEADER        -> FOLLOWER (higher term, CheckQuorum failed, or removed from the configuration)
 * </pre>
 */
public enum Role {
    /** Follows a leader, or waits for one. */
    FOLLOWER,
    /** Asks whether it could win an election before disturbing anyone with a new term. */
    PRE_CANDIDATE,
    /** Asks for votes in a new term. */
    CANDIDATE,
    /** Replicates the log and decides commitment. */
    LEADER
}
