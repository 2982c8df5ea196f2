package io.etcdj.raft;

/** The requested index lies before the storage's first index: it was compacted into a snapshot. */
public final class LogCompactedException extends RuntimeException {
    /** Creates the exception for the requested index. */
    public LogCompactedException(long index, long firstIndex) {
        super("index " + index + " is compacted (first index " + firstIndex + ")", null, false, false);
    }
}
