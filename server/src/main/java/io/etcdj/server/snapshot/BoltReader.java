package io.etcdj.server.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a bbolt database file (etcd's backend) without the bbolt library: picks the valid meta page with the
 * higher transaction id, then walks bucket trees in key order with positional reads (one node per tree level in
 * memory, so files larger than the heap, or than 2 GiB, read fine). Every node read is checked (page id, kind,
 * bounds, key order); {@link #check()} also checks that every page is used once or free, as bbolt's tx.Check does.
 * A damaged file fails with a {@link CorruptSnapshotException} naming what is wrong.
 */
public final class BoltReader implements AutoCloseable {
    private final FileChannel file;
    private final int pageSize;
    private final long pages;
    private final long rootPgid;
    private final long freelistPgid;
    private final long txid;
    private final Map<String, byte[]> buckets = new LinkedHashMap<>();

    private BoltReader(FileChannel file, int pageSize, long pages, long rootPgid, long freelistPgid, long txid) {
        this.file = file;
        this.pageSize = pageSize;
        this.pages = pages;
        this.rootPgid = rootPgid;
        this.freelistPgid = freelistPgid;
        this.txid = txid;
    }

    /** Opens {@code path}, reading at most its first {@code dataBytes} bytes (a snapshot file ends with its hash). */
    public static BoltReader open(Path path, long dataBytes) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            BoltReader r = openChannel(ch, dataBytes, path.toString());
            r.readRootBuckets();
            return r;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static BoltReader openChannel(FileChannel ch, long dataBytes, String name) throws IOException {
        if (dataBytes < 2L * 1024) {
            throw new CorruptSnapshotException(name + " is too small to be a bbolt database (" + dataBytes + " bytes)");
        }
        byte[] first = read(ch, 0, Math.min(dataBytes, 64 * 1024));
        Meta m0 = Meta.parse(first, 0);
        // as bbolt: a damaged meta 0 leaves meta 1, found at the default page size
        int offset1 = m0 != null ? m0.pageSize : BoltFormat.PAGE_SIZE;
        Meta m1 = offset1 <= first.length - 128 ? Meta.parse(first, offset1) : null;
        if (m0 == null && m1 == null) {
            throw new CorruptSnapshotException(
                    name + " is not a bbolt database: both meta pages have a wrong" + " magic, version or checksum");
        }
        Meta active = m0 == null || m1 != null && Long.compareUnsigned(m1.txid, m0.txid) > 0 ? m1 : m0;
        long size = (long) active.pageSize * active.pgid;
        if (active.pgid < 2 || Long.compareUnsigned(active.pgid, dataBytes / active.pageSize) > 0) {
            throw new CorruptSnapshotException(name + " is truncated: its meta page says " + active.pgid + " pages of "
                    + active.pageSize + " bytes (" + size + " bytes), the file has " + dataBytes);
        }
        if (active.root < 2 || active.root >= active.pgid) {
            throw new CorruptSnapshotException(name + ": the root page " + active.root + " is out of the file");
        }
        return new BoltReader(ch, active.pageSize, active.pgid, active.root, active.freelist, active.txid);
    }

    private record Meta(int pageSize, long root, long freelist, long pgid, long txid) {
        static Meta parse(byte[] b, int pageOffset) {
            int m = pageOffset + BoltFormat.PAGE_HEADER_BYTES;
            if (b.length < m + 64
                    || (BoltFormat.u16(b, pageOffset + 8) & BoltFormat.META_PAGE) == 0
                    || BoltFormat.u32(b, m) != BoltFormat.META_MAGIC
                    || BoltFormat.u32(b, m + 4) != BoltFormat.META_VERSION
                    || BoltFormat.u64(b, m + 56) != BoltFormat.fnv1a64(b, m, BoltFormat.META_CHECKED_BYTES)) {
                return null;
            }
            int pageSize = BoltFormat.u32(b, m + 8);
            if (pageSize < 1024 || pageSize > 1 << 20 || Integer.bitCount(pageSize) != 1) {
                return null;
            }
            return new Meta(
                    pageSize,
                    BoltFormat.u64(b, m + 16),
                    BoltFormat.u64(b, m + 32),
                    BoltFormat.u64(b, m + 40),
                    BoltFormat.u64(b, m + 48));
        }
    }

    private static byte[] read(FileChannel ch, long position, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(length));
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new CorruptSnapshotException(
                        "the file ends at " + (position + buf.position()) + " bytes, inside a page");
            }
        }
        return buf.array();
    }

    public int pageSize() {
        return pageSize;
    }

    /** The file's size as its meta page gives it (pages × page size). */
    public long sizeBytes() {
        return pages * pageSize;
    }

    public long txid() {
        return txid;
    }

    /** The top-level bucket names, in the file's order. */
    public List<String> bucketNames() {
        return List.copyOf(buckets.keySet());
    }

    public boolean hasBucket(String name) {
        return buckets.containsKey(name);
    }

    private void readRootBuckets() throws IOException {
        walk(
                rootPgid,
                null,
                (key, value, flags) -> {
                    if ((flags & BoltFormat.BUCKET_LEAF_FLAG) != 0) {
                        buckets.put(new String(key, StandardCharsets.UTF_8), value);
                    }
                },
                null);
    }

    /** Receives a bucket's entries in key order; {@code flags} marks nested buckets. */
    @FunctionalInterface
    public interface EntryVisitor {
        void entry(byte[] key, byte[] value, int flags) throws IOException;
    }

    /** Visits every entry of a top-level bucket in key order; an absent bucket has none. */
    public void forEach(String bucket, EntryVisitor visitor) throws IOException {
        byte[] header = buckets.get(bucket);
        if (header != null) {
            walkBucket(header, visitor, null);
        }
    }

    /** One entry of a top-level bucket, or null. Reads the whole bucket: for small ones. */
    public byte[] get(String bucket, byte[] key) throws IOException {
        byte[][] found = new byte[1][];
        forEach(bucket, (k, v, f) -> {
            if (Arrays.equals(k, key)) {
                found[0] = v;
            }
        });
        return found[0];
    }

    private void walkBucket(byte[] header, EntryVisitor visitor, BitSet seen) throws IOException {
        if (header.length < BoltFormat.BUCKET_HEADER_BYTES) {
            throw new CorruptSnapshotException("a bucket header is " + header.length + " bytes");
        }
        long root = BoltFormat.u64(header, 0);
        if (root == 0) { // inline bucket: a leaf page image follows the header
            byte[] node = Arrays.copyOfRange(header, BoltFormat.BUCKET_HEADER_BYTES, header.length);
            visitNode(node, 0, true, null, visitor, seen);
        } else {
            walk(root, null, visitor, seen);
        }
    }

    /** Visits the subtree at {@code pgid}; {@code lowerBound} is the parent's key for it (or null). */
    private void walk(long pgid, byte[] lowerBound, EntryVisitor visitor, BitSet seen) throws IOException {
        if (pgid < 2 || pgid >= pages) {
            throw new CorruptSnapshotException(
                    "page " + pgid + " is referenced but lies outside the file (" + pages + " pages)");
        }
        byte[] head = read(file, pgid * pageSize, BoltFormat.PAGE_HEADER_BYTES);
        long overflow = BoltFormat.u32(head, 12) & 0xFFFFFFFFL;
        if (pgid + overflow >= pages) {
            throw new CorruptSnapshotException("page " + pgid + " overflows past the end of the file");
        }
        if (seen != null) {
            for (long p = pgid; p <= pgid + overflow; p++) {
                if (seen.get((int) p)) {
                    throw new CorruptSnapshotException("page " + p + ": multiple references");
                }
                seen.set((int) p);
            }
        }
        byte[] node = read(file, pgid * pageSize, (overflow + 1) * pageSize);
        if (BoltFormat.u64(node, 0) != pgid) {
            throw new CorruptSnapshotException(
                    "page " + pgid + " has id " + BoltFormat.u64(node, 0) + " in its header");
        }
        int flags = BoltFormat.u16(node, 8);
        if (flags == BoltFormat.LEAF_PAGE) {
            visitNode(node, pgid, true, lowerBound, visitor, seen);
        } else if (flags == BoltFormat.BRANCH_PAGE) {
            visitNode(node, pgid, false, lowerBound, visitor, seen);
        } else {
            throw new CorruptSnapshotException(
                    "page " + pgid + ": invalid type " + flags + " (a tree page must be a branch or a leaf)");
        }
    }

    private void visitNode(byte[] node, long pgid, boolean leaf, byte[] lowerBound, EntryVisitor visitor, BitSet seen)
            throws IOException {
        int count = BoltFormat.u16(node, 10);
        if (BoltFormat.PAGE_HEADER_BYTES + (long) count * BoltFormat.ELEMENT_BYTES > node.length) {
            throw new CorruptSnapshotException("page " + pgid + ": " + count + " elements do not fit");
        }
        byte[] previous = lowerBound;
        for (int i = 0; i < count; i++) {
            int elem = BoltFormat.PAGE_HEADER_BYTES + i * BoltFormat.ELEMENT_BYTES;
            int pos = leaf ? BoltFormat.u32(node, elem + 4) : BoltFormat.u32(node, elem);
            long ksize = BoltFormat.u32(node, leaf ? elem + 8 : elem + 4) & 0xFFFFFFFFL;
            long vsize = leaf ? BoltFormat.u32(node, elem + 12) & 0xFFFFFFFFL : 0;
            long start = elem + (pos & 0xFFFFFFFFL);
            if (start + ksize + vsize > node.length) {
                throw new CorruptSnapshotException("page " + pgid + ": element " + i + " lies outside the page");
            }
            byte[] key = Arrays.copyOfRange(node, (int) start, (int) (start + ksize));
            if (previous != null && BoltFormat.compareKeys(previous, key) > 0
                    || previous != null && i > 0 && BoltFormat.compareKeys(previous, key) == 0) {
                throw new CorruptSnapshotException("page " + pgid + ": keys out of order at element " + i);
            }
            previous = key;
            if (leaf) {
                byte[] value = Arrays.copyOfRange(node, (int) (start + ksize), (int) (start + ksize + vsize));
                int flags = BoltFormat.u32(node, elem);
                if (seen != null && (flags & BoltFormat.BUCKET_LEAF_FLAG) != 0) {
                    walkBucket(value, (k, v, f) -> {}, seen); // nested buckets count toward reachability
                }
                visitor.entry(key, value, flags);
            } else {
                walk(BoltFormat.u64(node, elem + 8), key, visitor, seen);
            }
        }
    }

    /**
     * Checks the whole file as bbolt's tx.Check does: every page below the high-water mark is used exactly once
     * (metas, freelist, bucket trees) or listed free, and every tree page is a valid branch or leaf in key order.
     */
    public void check() throws IOException {
        if (pages > Integer.MAX_VALUE) {
            throw new CorruptSnapshotException("the file has more pages than this reader checks (" + pages + ")");
        }
        BitSet seen = new BitSet((int) pages);
        seen.set(0, 2);
        BitSet free = new BitSet((int) pages);
        if (freelistPgid != BoltFormat.NO_FREELIST) {
            readFreelist(seen, free);
        }
        walk(rootPgid, null, (k, v, f) -> {}, seen); // marks bucket trees too (see visitNode)
        if (freelistPgid != BoltFormat.NO_FREELIST) {
            for (int p = 2; p < pages; p++) {
                if (!seen.get(p) && !free.get(p)) {
                    throw new CorruptSnapshotException("page " + p + ": unreachable unfreed");
                }
            }
        }
    }

    private void readFreelist(BitSet seen, BitSet free) throws IOException {
        if (freelistPgid < 2 || freelistPgid >= pages) {
            throw new CorruptSnapshotException("the freelist page " + freelistPgid + " is outside the file");
        }
        byte[] head = read(file, freelistPgid * pageSize, BoltFormat.PAGE_HEADER_BYTES);
        long overflow = BoltFormat.u32(head, 12) & 0xFFFFFFFFL;
        if (freelistPgid + overflow >= pages || (BoltFormat.u16(head, 8) & BoltFormat.FREELIST_PAGE) == 0) {
            throw new CorruptSnapshotException("page " + freelistPgid + " is not a valid freelist page");
        }
        byte[] page = read(file, freelistPgid * pageSize, (overflow + 1) * pageSize);
        seen.set((int) freelistPgid, (int) (freelistPgid + overflow + 1));
        long count = BoltFormat.u16(page, 10);
        int at = BoltFormat.PAGE_HEADER_BYTES;
        if (count == 0xFFFF) {
            count = BoltFormat.u64(page, at);
            at += 8;
        }
        if (at + count * 8 > page.length) {
            throw new CorruptSnapshotException("the freelist page lists more ids than it holds");
        }
        for (long i = 0; i < count; i++) {
            long id = BoltFormat.u64(page, (int) (at + i * 8));
            if (id < 2 || id >= pages) {
                throw new CorruptSnapshotException("the freelist names page " + id + ", outside the file");
            }
            if (free.get((int) id)) {
                throw new CorruptSnapshotException("page " + id + ": already freed");
            }
            free.set((int) id);
        }
        List<Integer> both = new ArrayList<>();
        free.stream().filter(seen::get).forEach(both::add);
        if (!both.isEmpty()) {
            throw new CorruptSnapshotException("page " + both.get(0) + " is both free and in use");
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
