package io.etcdj.server.wal;

/**
 * The raft state that must be durable before a member answers a vote or acknowledges entries:
 * the current term, whom this member voted for in it (0 = nobody), and the highest index known
 * committed.
 *
 * @param term current raft term, >= 0
 * @param vote member id voted for in {@code term}, 0 when none
 * @param commit highest committed log index known, >= 0
 */
public record HardState(long term, long vote, long commit) {

    /** The state of a member that has never persisted anything. */
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public HardState {
        if (term < 0 || commit < 0) {
            throw new IllegalArgumentException("term and commit must be >= 0: term=" + term + " commit=" + commit);
        }
    }
}
