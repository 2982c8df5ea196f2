package io.etcdj.server.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Cuts a stream of known length into chunks as etcd's Snapshot RPC sends them (32 KiB blobs, each with the bytes
 * still to come after it) and keeps the SHA-256 of everything written, which etcd sends last.
 */
public final class ChunkedSha256Output extends OutputStream {
    /** etcd's snapshotSendBufferSize. */
    public static final int CHUNK_BYTES = 32 * 1024;

    /** Receives each chunk; {@code remainingBytes} counts what follows it. */
    @FunctionalInterface
    public interface ChunkSink {
        void chunk(byte[] blob, int length, long remainingBytes) throws IOException;
    }

    private final long totalBytes;
    private final ChunkSink sink;
    private final MessageDigest sha256;
    private final byte[] buffer = new byte[CHUNK_BYTES];
    private int filled;
    private long sent;

    public ChunkedSha256Output(long totalBytes, ChunkSink sink) {
        this.totalBytes = totalBytes;
        this.sink = sink;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == buffer.length) {
                emit();
            }
        }
    }

    private void emit() throws IOException {
        if (filled == 0) {
            return;
        }
        sent += filled;
        if (sent > totalBytes) {
            throw new IllegalStateException("more bytes than the announced " + totalBytes);
        }
        sha256.update(buffer, 0, filled);
        sink.chunk(buffer, filled, totalBytes - sent);
        filled = 0;
    }

    /** Sends what is buffered and returns the SHA-256 of all the bytes; fails if they were not the total. */
    public byte[] finish() throws IOException {
        emit();
        if (sent != totalBytes) {
            throw new IllegalStateException("wrote " + sent + " bytes, announced " + totalBytes);
        }
        return sha256.digest();
    }
}
