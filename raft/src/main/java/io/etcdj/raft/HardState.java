package io.etcdj.raft;

/**
 * The state a member must persist before answering: its current term, whom it voted for in that term,
 * and the highest index it knows to be committed.
 *
 * @param term   current term
 * @param vote   id voted for in {@code term}, or 0 for none
 * @param commit highest index known committed
 */
public record HardState(long term, long vote, long commit) {
    /** The state of a member that never ran. */
    public static final HardState EMPTY = new HardState(0, 0, 0);

    /** Checks the fields. */
    public HardState {
        if (term < 0 || vote < 0 || commit < 0) {
            throw new IllegalArgumentException("negative field in " + term + "/" + vote + "/" + commit);
        }
    }
}
