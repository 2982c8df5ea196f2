package io.etcdj.server.mvcc;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Byte layouts of the MVCC column families.
 *
 * <p>The "key" family is ordered by user key, then by revision newest first, so a read at revision R is one seek to
 * {@code enc(key) ~R.main ~MAX} per key. User keys are escaped so that the encoding is order-preserving and
 * prefix-free: 0x00 becomes 0x00 0xFF and the key ends with 0x00 0x01. Revisions are stored bitwise inverted
 * (big-endian) so that newer revisions sort first.
 *
 * <p>The "rev" family maps a revision (main, sub big-endian) to the key it changed, so scans by revision (watch
 * catch-up, compaction) are range scans.
 */
public final class KeyCodec {
    static final int REVISION_BYTES = 16;
    private static final byte ESCAPE = 0x00;
    private static final byte ESCAPED_ZERO = (byte) 0xFF;
    private static final byte TERMINATOR = 0x01;

    private KeyCodec() {}

    /** The order-preserving, prefix-free encoding of a user key. */
    public static byte[] encodeUserKey(byte[] userKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(userKey.length + 2);
        for (byte b : userKey) {
            out.write(b);
            if (b == ESCAPE) {
                out.write(ESCAPED_ZERO);
            }
        }
        out.write(ESCAPE);
        out.write(TERMINATOR);
        return out.toByteArray();
    }

    /** Index key of one version of a user key. */
    public static byte[] indexKey(byte[] encodedUserKey, long main, long sub) {
        byte[] k = Arrays.copyOf(encodedUserKey, encodedUserKey.length + REVISION_BYTES);
        putLong(k, encodedUserKey.length, ~main);
        putLong(k, encodedUserKey.length + 8, ~sub);
        return k;
    }

    /** Seek target for the newest version of a key at or below main revision {@code atMain}. */
    public static byte[] seekAtOrBelow(byte[] encodedUserKey, long atMain) {
        return indexKey(encodedUserKey, atMain, -1L); // ~(-1) == 0: the smallest suffix for atMain
    }

    /** Seek target just past every version of a key: the next user key's first version sorts at or after it. */
    public static byte[] seekPastAllVersions(byte[] encodedUserKey) {
        return indexKey(encodedUserKey, 0, 0); // ~0 == all ones: larger than any real revision's suffix
    }

    /** Length of the encoded user key at the front of an index key. */
    public static int encodedUserKeyLength(byte[] indexKey) {
        return indexKey.length - REVISION_BYTES;
    }

    /** The user key of an index key. */
    public static byte[] userKeyOf(byte[] indexKey) {
        byte[] out = new byte[indexKey.length - REVISION_BYTES - 2];
        int length = userKeyInto(indexKey, indexKey.length, out);
        return length == out.length ? out : Arrays.copyOf(out, length); // shorter only when it held zero bytes
    }

    /**
     * Decodes the user key of the index key in {@code indexKey[0, indexKeyLength)} into {@code out} (at least
     * {@code indexKeyLength - 18} bytes long) and returns its length.
     */
    static int userKeyInto(byte[] indexKey, int indexKeyLength, byte[] out) {
        int end = indexKeyLength - REVISION_BYTES - 2; // strip terminator
        int o = 0;
        for (int i = 0; i < end; i++) {
            out[o++] = indexKey[i];
            if (indexKey[i] == ESCAPE) {
                i++; // skip the escape marker
            }
        }
        return o;
    }

    public static boolean sameUserKey(byte[] indexKey, byte[] encodedUserKey) {
        return indexKey.length == encodedUserKey.length + REVISION_BYTES
                && Arrays.equals(indexKey, 0, encodedUserKey.length, encodedUserKey, 0, encodedUserKey.length);
    }

    public static Revision revisionOfIndexKey(byte[] indexKey) {
        int off = indexKey.length - REVISION_BYTES;
        return new Revision(~getLong(indexKey, off), ~getLong(indexKey, off + 8));
    }

    /** Key of the "rev" family: main and sub big-endian, so byte order is revision order. */
    public static byte[] revisionKey(long main, long sub) {
        byte[] k = new byte[REVISION_BYTES];
        putLong(k, 0, main);
        putLong(k, 8, sub);
        return k;
    }

    public static Revision revisionOfRevisionKey(byte[] k) {
        return new Revision(getLong(k, 0), getLong(k, 8));
    }

    public static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFFL);
        }
        return v;
    }

    public static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    /** True when {@code bytes} begins with {@code prefix}. */
    public static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
