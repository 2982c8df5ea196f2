package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;

/**
 * A {@link WalDisk} that fails on demand, as a failing disk answers: once armed, every write or every fsync of a
 * segment throws the given error (EIO, ENOSPC). Reads keep working. Thread-safe arming.
 */
public final class FailingDisk implements WalDisk {
    /** Guarded by volatile: the error writes throw, or null. */
    private volatile IOException writeError;
    /** Guarded by volatile: the error fsyncs throw, or null. */
    private volatile IOException forceError;

    /** From now on every write to a segment throws {@code error}. */
    public void failWrites(IOException error) {
        writeError = error;
    }

    /** From now on every fsync of a segment throws {@code error}. */
    public void failFsyncs(IOException error) {
        forceError = error;
    }

    /** Guarded by volatile: the error writes that would make a file longer throw, or null. */
    private volatile IOException growthError;

    /**
     * From now on a write that would make a segment file longer throws {@code error}, as a full disk answers: writes
     * into space a file already has (a preallocated segment) still work.
     */
    public void failGrowth(IOException error) {
        growthError = error;
    }

    /** The disk works again (as when space is freed). */
    public void heal() {
        writeError = null;
        forceError = null;
        growthError = null;
    }

    /** Linux's text for ENOSPC, as the JDK reports it. */
    public static IOException enospc() {
        return new IOException("No space left on device");
    }

    /** Linux's text for EIO, as the JDK reports it. */
    public static IOException eio() {
        return new IOException("Input/output error");
    }

    @Override
    public FileChannel writable(Path path, FileChannel opened) {
        return new Channel(opened);
    }

    private final class Channel extends DelegatingChannel {
        Channel(FileChannel delegate) {
            super(delegate);
        }

        private void checkWrite() throws IOException {
            IOException e = writeError;
            if (e != null) {
                throw e;
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            checkWrite();
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            checkWrite();
            return d.write(srcs, offset, length);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            checkWrite();
            d.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            IOException e = forceError;
            if (e != null) {
                throw e;
            }
            d.force(metaData);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            checkWrite();
            return d.transferFrom(src, position, count);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            checkWrite();
            IOException full = growthError;
            if (full != null && position + src.remaining() > d.size()) {
                throw full;
            }
            return d.write(src, position);
        }
    }
}
