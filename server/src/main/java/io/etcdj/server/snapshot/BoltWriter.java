package io.etcdj.server.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a bbolt database file (etcd's backend format) page by page to a stream, from buckets whose entries can be
 * read twice in the same order: a first pass lays the file out without writing (its size, and the page ids of the
 * bucket roots that the meta pages at the front point to), the second writes it. Heap stays at a few pages per
 * bucket whatever the data's size.
 *
 * <p>File layout: meta pages 0 and 1, then each bucket's tree (leaves and branches interleaved, in append order),
 * then the root bucket's node listing the buckets. No freelist page: the file has no free pages, and like etcd's
 * own files (NoFreelistSync) its meta says so, so bbolt rebuilds the (empty) freelist by reachability.
 */
public final class BoltWriter {
    /** A top-level bucket: its name and its entries, in ascending unsigned key order, each call the same. */
    public interface Bucket {
        String name();

        void forEach(EntrySink sink) throws IOException;
    }

    /** Receives a bucket's entries. */
    @FunctionalInterface
    public interface EntrySink {
        void accept(byte[] key, byte[] value) throws IOException;
    }

    /** What a layout pass found: the file's page count and root page, and the entries per bucket. */
    public record Layout(long pages, long rootPgid, int pageSize, List<Long> entriesPerBucket) {
        public long sizeBytes() {
            return pages * pageSize;
        }

        public long totalEntries() {
            return entriesPerBucket.stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final long FIRST_DATA_PGID = 2;
    /** The transaction ids of meta pages 0 and 1: page 0 is the newer, as in a file bbolt's WriteTo produced. */
    private static final long TXID_0 = 2;

    private static final long TXID_1 = 1;

    private final List<Bucket> buckets;
    private final int pageSize;
    private Layout layout;

    public BoltWriter(List<Bucket> buckets) {
        this(buckets, BoltFormat.PAGE_SIZE);
    }

    BoltWriter(List<Bucket> buckets, int pageSize) {
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort(Comparator.comparing(b -> b.name().getBytes(StandardCharsets.UTF_8), BoltFormat::compareKeys));
        this.buckets = List.copyOf(sorted);
        this.pageSize = pageSize;
    }

    /** Lays the file out (reading every bucket once) without writing anything. */
    public Layout measure() throws IOException {
        if (layout == null) {
            PageOutput pages = PageOutput.counting(pageSize, FIRST_DATA_PGID);
            List<Long> counts = new ArrayList<>();
            long root = writeTrees(pages, counts);
            layout = new Layout(pages.nextPgid(), root, pageSize, List.copyOf(counts));
        }
        return layout;
    }

    /**
     * Writes the file (measuring it first if not done yet). Fails if the buckets did not give the same entries as
     * in the layout pass: the stream then holds a damaged file, which the caller must not present as a snapshot.
     */
    public Layout writeTo(OutputStream out) throws IOException {
        Layout planned = measure();
        out.write(metaPage(0, TXID_0, planned));
        out.write(metaPage(1, TXID_1, planned));
        PageOutput pages = PageOutput.writing(out, pageSize, FIRST_DATA_PGID);
        List<Long> counts = new ArrayList<>();
        long root = writeTrees(pages, counts);
        if (root != planned.rootPgid()
                || pages.nextPgid() != planned.pages()
                || !counts.equals(planned.entriesPerBucket())) {
            throw new IllegalStateException("the data changed between the layout and the writing pass");
        }
        return planned;
    }

    private long writeTrees(PageOutput pages, List<Long> counts) throws IOException {
        long[] roots = new long[buckets.size()];
        for (int i = 0; i < buckets.size(); i++) {
            TreeWriter tree = new TreeWriter(pages);
            buckets.get(i).forEach((k, v) -> tree.add(k, v, false));
            roots[i] = tree.finish();
            counts.add(tree.entries());
        }
        TreeWriter root = new TreeWriter(pages);
        for (int i = 0; i < buckets.size(); i++) {
            byte[] header = new byte[BoltFormat.BUCKET_HEADER_BYTES];
            BoltFormat.putU64(header, 0, roots[i]); // root page; sequence 0
            root.add(buckets.get(i).name().getBytes(StandardCharsets.UTF_8), header, true);
        }
        return root.finish();
    }

    private byte[] metaPage(long id, long txid, Layout l) {
        byte[] page = new byte[pageSize];
        BoltFormat.putHeader(page, id, BoltFormat.META_PAGE, 0, 0);
        int m = BoltFormat.PAGE_HEADER_BYTES;
        BoltFormat.putU32(page, m, BoltFormat.META_MAGIC);
        BoltFormat.putU32(page, m + 4, BoltFormat.META_VERSION);
        BoltFormat.putU32(page, m + 8, pageSize);
        BoltFormat.putU32(page, m + 12, 0); // flags
        BoltFormat.putU64(page, m + 16, l.rootPgid());
        BoltFormat.putU64(page, m + 24, 0); // root bucket sequence
        BoltFormat.putU64(page, m + 32, BoltFormat.NO_FREELIST);
        BoltFormat.putU64(page, m + 40, l.pages());
        BoltFormat.putU64(page, m + 48, txid);
        BoltFormat.putU64(page, m + 56, BoltFormat.fnv1a64(page, m, BoltFormat.META_CHECKED_BYTES));
        return page;
    }
}
