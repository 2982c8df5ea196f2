package io.etcdj.raft;

/** The requested index lies beyond the storage's last index. */
public final class LogUnavailableException extends RuntimeException {
    /** Creates the exception for the requested index. */
    public LogUnavailableException(long index, long lastIndex) {
        super("index " + index + " is unavailable (last index " + lastIndex + ")", null, false, false);
    }
}
