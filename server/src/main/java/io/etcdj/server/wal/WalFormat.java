package io.etcdj.server.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of a segment file: a fixed header followed by frames. All integers are
 * big-endian.
 *
 * <pre>
 * segment header (40 bytes)
 *   0  magic "etcdjWAL" (8)     8  version u32 = 1     12 flags u32 = 0
 *   16 seq u64                  24 nameIndex u64       32 reserved u32 = 0    36 crc32c(0..36) u32
 * frame (24-byte header + payload)
 *   0  payloadLength u32 (1..MAX_PAYLOAD_BYTES)        4  type u8    5 flags u8 (bit 0: group end)
 *   6  reserved u16 = 0         8  syncedOffset u64    16 crc32c(payload) u32
 *   20 crc32c(header bytes 0..20) u32
 * </pre>
 *
 * <p>{@code syncedOffset} is how far this segment was known durable (fsynced) when the frame was
 * written. Recovery uses it to tell a torn write (damage past the last sync) from corruption of
 * data that had been synced: see {@link SegmentScanner}. A frame header of all zeros (the
 * preallocated tail) marks the end of the data; it can never pass the header checksum.
 */
final class WalFormat {
    private WalFormat() {}

    static final byte[] MAGIC = "etcdjWAL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int SEGMENT_HEADER_BYTES = 40;
    static final int FRAME_HEADER_BYTES = 24;
    /** Largest payload of one frame; bounds what recovery will try to read for one record. */
    static final int MAX_PAYLOAD_BYTES = 1 << 30;

    static final byte FLAG_GROUP_END = 1;
    /** Size of the segment-start record's payload. */
    static final int SEGMENT_START_PAYLOAD_BYTES = 56;
    /** Where the first record after the segment-start record begins. */
    static final long FIRST_DATA_OFFSET = SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + SEGMENT_START_PAYLOAD_BYTES;

    /** The fixed header at the start of every segment file. */
    record SegmentHeader(long seq, long nameIndex) {

        byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
            b.put(MAGIC)
                    .putInt(VERSION)
                    .putInt(0)
                    .putLong(seq)
                    .putLong(nameIndex)
                    .putInt(0);
            b.putInt(crc(b.array(), 0, SEGMENT_HEADER_BYTES - 4));
            return b.array();
        }

        /** Parses a header; returns a description of what is wrong via {@link IllegalArgumentException}. */
        static SegmentHeader decode(byte[] bytes, int length) {
            if (length < SEGMENT_HEADER_BYTES) {
                throw new IllegalArgumentException("file is shorter (" + length + " bytes) than a segment header");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, 0, SEGMENT_HEADER_BYTES);
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("bad magic (not an etcdj WAL segment)");
            }
            int version = b.getInt();
            int flags = b.getInt();
            long seq = b.getLong();
            long nameIndex = b.getLong();
            int reserved = b.getInt();
            int storedCrc = b.getInt();
            if (storedCrc != crc(bytes, 0, SEGMENT_HEADER_BYTES - 4)) {
                throw new IllegalArgumentException("segment header checksum mismatch");
            }
            if (version != VERSION || flags != 0 || reserved != 0) {
                throw new IllegalArgumentException("unsupported segment format version " + version + " (flags " + flags
                        + "); this etcdj understands version " + VERSION);
            }
            return new SegmentHeader(seq, nameIndex);
        }
    }

    /** A frame header that passed its checksum and range checks. */
    record FrameHeader(int payloadLength, byte type, byte flags, long syncedOffset, int payloadCrc) {

        boolean groupEnd() {
            return (flags & FLAG_GROUP_END) != 0;
        }

        long frameBytes() {
            return FRAME_HEADER_BYTES + (long) payloadLength;
        }

        static void encode(
                ByteBuffer dst, int payloadLength, byte type, byte flags, long syncedOffset, int payloadCrc) {
            int start = dst.position();
            dst.putInt(payloadLength)
                    .put(type)
                    .put(flags)
                    .putShort((short) 0)
                    .putLong(syncedOffset)
                    .putInt(payloadCrc);
            CRC32C c = new CRC32C();
            c.update(dst.duplicate().position(start).limit(start + FRAME_HEADER_BYTES - 4));
            dst.putInt((int) c.getValue());
        }

        /**
         * Returns the header at {@code bytes[off..off+24)}, or null when those bytes are not a valid
         * frame header (zeros, garbage, torn). Cheap checks come first so that scanning every byte
         * offset of a damaged region stays fast.
         */
        static FrameHeader tryDecode(byte[] bytes, int off) {
            int length = getInt(bytes, off);
            if (length <= 0 || length > MAX_PAYLOAD_BYTES) {
                return null;
            }
            byte type = bytes[off + 4];
            byte flags = bytes[off + 5];
            if (!WalRecord.isKnownType(type)
                    || (flags & ~FLAG_GROUP_END) != 0
                    || bytes[off + 6] != 0
                    || bytes[off + 7] != 0) {
                return null;
            }
            if (getInt(bytes, off + 20) != crc(bytes, off, FRAME_HEADER_BYTES - 4)) {
                return null;
            }
            return new FrameHeader(length, type, flags, getLong(bytes, off + 8), getInt(bytes, off + 16));
        }
    }

    static int crc(byte[] bytes, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, off, len);
        return (int) c.getValue();
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static long getLong(byte[] b, int off) {
        return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xffffffffL);
    }
}
