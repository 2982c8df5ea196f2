package io.etcdj.raft;

import java.util.Arrays;

/** Reads what {@link ByteWriter} wrote; any malformation throws {@link IllegalArgumentException}. */
final class ByteReader {
    private final byte[] buf;
    private int pos;

    ByteReader(byte[] buf) {
        this.buf = buf;
    }

    private IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed raft encoding: " + what + " at byte " + pos);
    }

    int readByte() {
        if (pos >= buf.length) {
            throw malformed("truncated");
        }
        return buf[pos++] & 0xFF;
    }

    long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw malformed("varint too long");
    }

    /** A non-negative varint that must fit the remaining input when used as a count of at least 1 byte each. */
    int readCount() {
        long n = readVarLong();
        if (n < 0 || n > buf.length - pos) {
            throw malformed("count " + n);
        }
        return (int) n;
    }

    boolean readBool() {
        int b = readByte();
        if (b > 1) {
            throw malformed("boolean " + b);
        }
        return b == 1;
    }

    byte[] readBytes() {
        int n = readCount();
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    void expectEnd() {
        if (pos != buf.length) {
            throw malformed("trailing bytes");
        }
    }
}
