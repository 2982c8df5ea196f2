package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * How the log's segment files are opened for writing: {@link #DIRECT} in production; a test wraps the channels to
 * make writes or fsyncs fail as a failing disk would (EIO, ENOSPC). A seam for tests, not a failpoint: it changes
 * what the disk answers, not where the process dies.
 */
@FunctionalInterface
public interface WalDisk {
    /** The channels as opened. */
    WalDisk DIRECT = (path, channel) -> channel;

    /** The channel the log writes {@code path} through, given the one it opened (which the result must close). */
    FileChannel writable(Path path, FileChannel opened) throws IOException;
}
