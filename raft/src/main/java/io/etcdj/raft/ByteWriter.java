package io.etcdj.raft;

import java.util.Arrays;

/** A growable byte array with unsigned LEB128 varints, for {@link RaftCodec}. */
final class ByteWriter {
    private byte[] buf;
    private int pos;

    ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    ByteWriter writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
        return this;
    }

    ByteWriter writeVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return this;
    }

    ByteWriter writeBool(boolean b) {
        return writeByte(b ? 1 : 0);
    }

    ByteWriter writeBytes(byte[] data) {
        writeVarLong(data.length);
        ensure(data.length);
        System.arraycopy(data, 0, buf, pos, data.length);
        pos += data.length;
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
