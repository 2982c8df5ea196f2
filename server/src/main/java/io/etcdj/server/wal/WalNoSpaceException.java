package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The disk under the log is full (ENOSPC) where that leaves the log unchanged: nothing of the refused append was
 * written, and the append may be retried once space is freed. Only a new segment needs new space (segments are
 * preallocated), so this is what a full disk looks like to a log that preallocates; any other write failure, ENOSPC
 * included, still makes the log refuse further writes.
 */
public final class WalNoSpaceException extends IOException {
    public WalNoSpaceException(Path dir, IOException cause) {
        super("no space left for a new write-ahead log segment in " + dir + ": " + cause.getMessage(), cause);
    }

    /** Whether {@code e} says the device is full (Linux's ENOSPC text, as the JDK reports it). */
    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
