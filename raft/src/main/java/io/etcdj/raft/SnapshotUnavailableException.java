package io.etcdj.raft;

/** The storage cannot hand out a snapshot right now; the core will ask again later. */
public final class SnapshotUnavailableException extends RuntimeException {
    /** Creates the exception. */
    public SnapshotUnavailableException() {
        super("snapshot temporarily unavailable", null, false, false);
    }
}
