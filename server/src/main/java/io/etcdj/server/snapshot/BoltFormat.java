package io.etcdj.server.snapshot;

import java.util.Arrays;

/**
 * Constants and little-endian helpers of the bbolt file format (the layout etcd's backend uses), as far as our
 * writer and reader need them. bbolt's own structures are little-endian; etcd's keys and values inside them are
 * big-endian.
 */
final class BoltFormat {
    static final int PAGE_SIZE = 4096;
    static final int PAGE_HEADER_BYTES = 16;
    static final int ELEMENT_BYTES = 16;
    static final int BUCKET_HEADER_BYTES = 16;
    static final int META_MAGIC = 0xED0CDAED;
    static final int META_VERSION = 2;
    /** Bytes of a meta body covered by its checksum (magic .. txid). */
    static final int META_CHECKED_BYTES = 56;

    static final short BRANCH_PAGE = 0x01;
    static final short LEAF_PAGE = 0x02;
    static final short META_PAGE = 0x04;
    static final short FREELIST_PAGE = 0x10;
    static final int BUCKET_LEAF_FLAG = 0x01;
    /** The freelist pgid of a file that does not store its freelist (etcd on Linux: NoFreelistSync). */
    static final long NO_FREELIST = -1L;
    /** bbolt's page element count is a u16 and 0xFFFF is reserved. */
    static final int MAX_ELEMENTS = 0xFFFE;

    private BoltFormat() {}

    static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void putU32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static void putU64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static int u32(byte[] b, int off) {
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    static long u64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xFFL);
        }
        return v;
    }

    /** FNV-1a, 64 bits: the meta page checksum. */
    static long fnv1a64(byte[] b, int off, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < off + len; i++) {
            h ^= b[i] & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Writes a page header: id, flags, element count, overflow pages. */
    static void putHeader(byte[] page, long id, short flags, int count, int overflow) {
        putU64(page, 0, id);
        putU16(page, 8, flags);
        putU16(page, 10, count);
        putU32(page, 12, overflow);
    }

    /** Pages a node of {@code bytes} bytes occupies. */
    static int pagesFor(long bytes, int pageSize) {
        return (int) Math.max(1, (bytes + pageSize - 1) / pageSize);
    }

    static int compareKeys(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
