package io.etcdj.raft;

/**
 * How the leader replicates to one follower.
 *
 * <p>Transitions: PROBE -> REPLICATE (an append was acknowledged); REPLICATE -> PROBE (a rejection, or the
 * follower was reported unreachable); PROBE -> SNAPSHOT (the entries it needs are compacted);
 * SNAPSHOT -> PROBE (snapshot reported done or failed, or an acknowledgement past the snapshot).
 */
public enum ProgressState {
    /** One append per heartbeat interval until the leader learns where the follower's log matches. */
    PROBE,
    /** Optimistic pipelining of appends, bounded by the inflight window. */
    REPLICATE,
    /** Waiting for the follower to install a snapshot; no appends are sent. */
    SNAPSHOT
}
