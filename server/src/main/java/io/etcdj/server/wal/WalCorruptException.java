package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The write-ahead log found data it cannot trust: a damaged record that is not a torn write at the
 * tail of the last segment, a missing segment, or a file in the log directory that the log did not
 * write. The message names the file and offset and says what the operator can do. The log never
 * repairs such damage by itself, because doing so could silently drop entries already acknowledged.
 */
public class WalCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    public WalCorruptException(String message) {
        super(message);
    }

    public WalCorruptException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What an operator can do about damaged data; appended to damage reports. */
    static final String RECOVERY_ADVICE = "Do not edit or delete WAL files by hand. To recover, remove this member "
            + "from the cluster (etcdctl member remove), empty its data directory and add it back so that it receives a "
            + "snapshot from the leader, or restore the data directory from a backup.";

    /** Damage at a known place in a segment file. */
    static WalCorruptException damaged(Path file, long offset, String what) {
        return new WalCorruptException(
                "WAL segment " + file + " is corrupt at offset " + offset + ": " + what + ". " + RECOVERY_ADVICE);
    }
}
