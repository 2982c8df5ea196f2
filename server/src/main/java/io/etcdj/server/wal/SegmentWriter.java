package io.etcdj.server.wal;

import io.etcdj.server.metrics.DiskMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Appends frames to the active segment through one direct buffer and makes them durable with
 * {@link FileChannel#force force(false)} (fdatasync). Tracks three offsets, each at or above the
 * next: written (including buffered), handed to the OS, and durable. Confined to the log's single
 * caller thread; {@link #switchTo} retargets it at a new segment on rollover.
 */
final class SegmentWriter {
    static final int BUFFER_BYTES = 256 << 10;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final ByteBuffer frameHeader = ByteBuffer.allocate(WalFormat.FRAME_HEADER_BYTES);
    private final CRC32C crc = new CRC32C();
    private FileChannel channel;
    private long writeOffset;
    private long flushedOffset;
    private long durableOffset;

    /** Writes at {@code endOffset}, where everything before is already durable. */
    SegmentWriter(FileChannel channel, long endOffset) {
        switchTo(channel, endOffset);
    }

    void switchTo(FileChannel next, long endOffset) {
        if (buffer.position() != 0) {
            throw new IllegalStateException("switching segments with unflushed bytes");
        }
        channel = next;
        writeOffset = endOffset;
        flushedOffset = endOffset;
        durableOffset = endOffset;
    }

    long writeOffset() {
        return writeOffset;
    }

    long durableOffset() {
        return durableOffset;
    }

    static long frameBytes(WalRecord r) {
        return WalFormat.FRAME_HEADER_BYTES + (long) r.prefix().length + r.data().length;
    }

    /** Buffers one frame and returns its offset in the segment. */
    long append(WalRecord r, boolean groupEnd) throws IOException {
        byte[] prefix = r.prefix();
        byte[] data = r.data();
        crc.reset();
        crc.update(prefix);
        crc.update(data);
        frameHeader.clear();
        WalFormat.FrameHeader.encode(
                frameHeader,
                prefix.length + data.length,
                r.type(),
                groupEnd ? WalFormat.FLAG_GROUP_END : 0,
                durableOffset,
                (int) crc.getValue());
        long at = writeOffset;
        put(frameHeader.array());
        put(prefix);
        put(data);
        writeOffset += WalFormat.FRAME_HEADER_BYTES + prefix.length + data.length;
        return at;
    }

    /** Hands buffered bytes to the OS (no durability). */
    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            flushedOffset += channel.write(buffer, flushedOffset);
        }
        buffer.clear();
    }

    /** Makes everything written durable; returns false when there was nothing to sync. */
    boolean sync() throws IOException {
        flush();
        if (durableOffset == writeOffset) {
            return false;
        }
        long startNanos = System.nanoTime();
        channel.force(false);
        DiskMetrics.walFsynced(System.nanoTime() - startNanos);
        durableOffset = writeOffset;
        return true;
    }

    private void put(byte[] src) throws IOException {
        int off = 0;
        while (off < src.length) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int n = Math.min(buffer.remaining(), src.length - off);
            buffer.put(src, off, n);
            off += n;
        }
    }
}
