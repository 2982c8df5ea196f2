package io.etcdj.server.wal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The payload of one frame. Each record type has a fixed-size prefix of longs; an entry adds its
 * opaque data after the prefix.
 */
sealed interface WalRecord {

    byte TYPE_SEGMENT_START = 1;
    byte TYPE_ENTRY = 2;
    byte TYPE_HARD_STATE = 3;
    byte TYPE_RELEASE = 4;

    byte type();

    /** The fixed part of the payload. */
    byte[] prefix();

    /** Bytes that follow the prefix (entry data); empty for other types. */
    default byte[] data() {
        return EMPTY;
    }

    byte[] EMPTY = new byte[0];

    static boolean isKnownType(byte type) {
        return type >= TYPE_SEGMENT_START && type <= TYPE_RELEASE;
    }

    /**
     * First record of every segment: the log's state when the segment was started, so that
     * replay can begin at any retained segment after older ones were deleted.
     */
    record SegmentStart(long prevLastIndex, long prevLastTerm, long releaseIndex, long releaseTerm, HardState hardState)
            implements WalRecord {
        @Override
        public byte type() {
            return TYPE_SEGMENT_START;
        }

        @Override
        public byte[] prefix() {
            return longs(
                    prevLastIndex,
                    prevLastTerm,
                    releaseIndex,
                    releaseTerm,
                    hardState.term(),
                    hardState.vote(),
                    hardState.commit());
        }
    }

    /** One log entry; a lower index than the current last index overwrites that suffix. */
    record Entry(LogEntry entry) implements WalRecord {
        @Override
        public byte type() {
            return TYPE_ENTRY;
        }

        @Override
        public byte[] prefix() {
            return longs(entry.index(), entry.term());
        }

        @Override
        public byte[] data() {
            return entry.data();
        }
    }

    /** A new hard state. */
    record State(HardState hardState) implements WalRecord {
        @Override
        public byte type() {
            return TYPE_HARD_STATE;
        }

        @Override
        public byte[] prefix() {
            return longs(hardState.term(), hardState.vote(), hardState.commit());
        }
    }

    /**
     * Everything up to {@code index} is released. {@code keepsSuffix} records the decision taken when
     * it was written: true keeps entries above {@code index}; false empties the log (the entry at
     * {@code index} was missing or had another term, as when a follower installs a leader's snapshot).
     */
    record Release(long index, long term, boolean keepsSuffix) implements WalRecord {
        @Override
        public byte type() {
            return TYPE_RELEASE;
        }

        @Override
        public byte[] prefix() {
            return longs(index, term, keepsSuffix ? 1 : 0);
        }
    }

    /**
     * Decodes a payload whose checksum was verified.
     *
     * @param bytes the payload, or for an entry decoded without data at least its 16-byte prefix
     * @param payloadLength the full payload length from the frame header
     * @param withData whether to copy an entry's data (replay needs only index and term)
     * @throws IllegalArgumentException when the payload does not fit its type
     */
    static WalRecord decode(byte type, byte[] bytes, int payloadLength, boolean withData) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return switch (type) {
            case TYPE_SEGMENT_START -> {
                requireLength(payloadLength, 56, type);
                yield new SegmentStart(
                        b.getLong(),
                        b.getLong(),
                        b.getLong(),
                        b.getLong(),
                        new HardState(b.getLong(), b.getLong(), b.getLong()));
            }
            case TYPE_ENTRY -> {
                if (payloadLength < 16) {
                    throw new IllegalArgumentException("entry record of " + payloadLength + " bytes is too short");
                }
                long index = b.getLong();
                long term = b.getLong();
                byte[] data = withData ? Arrays.copyOfRange(bytes, 16, payloadLength) : EMPTY;
                yield new Entry(new LogEntry(index, term, data));
            }
            case TYPE_HARD_STATE -> {
                requireLength(payloadLength, 24, type);
                yield new State(new HardState(b.getLong(), b.getLong(), b.getLong()));
            }
            case TYPE_RELEASE -> {
                requireLength(payloadLength, 24, type);
                long index = b.getLong();
                long term = b.getLong();
                long keeps = b.getLong();
                if (keeps != 0 && keeps != 1) {
                    throw new IllegalArgumentException("release record has bad keepsSuffix " + keeps);
                }
                yield new Release(index, term, keeps == 1);
            }
            default -> throw new IllegalArgumentException("unknown record type " + type);
        };
    }

    private static void requireLength(int payloadLength, int expected, byte type) {
        if (payloadLength != expected) {
            throw new IllegalArgumentException(
                    "record type " + type + " has " + payloadLength + " payload bytes, expected " + expected);
        }
    }

    private static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }
}
