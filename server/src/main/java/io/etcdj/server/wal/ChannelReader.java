package io.etcdj.server.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Buffered positional reads from a file channel through a sliding window, so scanning many small
 * frames costs one system call per window rather than per frame. Confined to one thread.
 */
final class ChannelReader {
    private final FileChannel channel;
    private final long limitBytes;
    private final byte[] window;
    private long windowStart;
    private int windowLength;

    /**
     * @param limitBytes reads never go past this file offset
     * @param windowBytes window size; also the largest span {@link #ensure} accepts
     */
    ChannelReader(FileChannel channel, long limitBytes, int windowBytes) {
        this.channel = channel;
        this.limitBytes = limitBytes;
        this.window = new byte[windowBytes];
    }

    long limitBytes() {
        return limitBytes;
    }

    byte[] window() {
        return window;
    }

    int windowCapacity() {
        return window.length;
    }

    /**
     * Makes bytes [pos, pos+n) available in {@link #window()} and returns the index of {@code pos}
     * in it.
     *
     * @throws EOFException when the range passes {@link #limitBytes()}
     */
    int ensure(long pos, int n) throws IOException {
        if (n > window.length) {
            throw new IllegalArgumentException("span " + n + " exceeds window " + window.length);
        }
        if (pos < 0 || pos + n > limitBytes) {
            throw new EOFException("range [" + pos + ", " + (pos + n) + ") passes end " + limitBytes);
        }
        if (pos >= windowStart && pos + n <= windowStart + windowLength) {
            return (int) (pos - windowStart);
        }
        int want = (int) Math.min(window.length, limitBytes - pos);
        ByteBuffer dst = ByteBuffer.wrap(window, 0, want);
        while (dst.hasRemaining()) {
            int read = channel.read(dst, pos + dst.position());
            if (read < 0) {
                windowLength = 0;
                throw new EOFException(
                        "file ended at " + (pos + dst.position()) + ", expected " + limitBytes + " bytes");
            }
        }
        windowStart = pos;
        windowLength = want;
        return 0;
    }

    /** Copies bytes [pos, pos+n) into a new array; n may exceed the window. */
    byte[] read(long pos, int n) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            int chunk = Math.min(window.length, n - done);
            int at = ensure(pos + done, chunk);
            System.arraycopy(window, at, out, done, chunk);
            done += chunk;
        }
        return out;
    }

    /** CRC32C of bytes [pos, pos+n), read through the window without materialising them. */
    int crc(long pos, long n) throws IOException {
        CRC32C c = new CRC32C();
        long done = 0;
        while (done < n) {
            int chunk = (int) Math.min(window.length, n - done);
            int at = ensure(pos + done, chunk);
            c.update(window, at, chunk);
            done += chunk;
        }
        return (int) c.getValue();
    }

    /** True when every byte in [pos, limitBytes) is zero. */
    boolean isZeroFrom(long pos) throws IOException {
        long at = pos;
        while (at < limitBytes) {
            int chunk = (int) Math.min(window.length, limitBytes - at);
            int i = ensure(at, chunk);
            for (int end = i + chunk; i < end; i++) {
                if (window[i] != 0) {
                    return false;
                }
            }
            at += chunk;
        }
        return true;
    }
}
