package io.etcdj.server.mvcc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import io.etcdj.server.common.MonotonicClock;
import org.rocksdb.AbstractWriteBatch;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.Range;
import org.rocksdb.RocksDBException;
import org.rocksdb.Slice;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB database behind the store: four column families (meta, key, rev; see {@link KeyCodec}; and lease,
 * which the lease package lays out) and the format marker that tells our data from anything else.
 *
 * <p>RocksDB's own WAL is off: every applied batch carries the raft index it applies (the consistent index), and
 * after a crash the raft log is replayed from there. Atomic flush keeps the column families consistent with each
 * other on disk.
 *
 * <p>Every use of the native database happens under a {@link Pin}: closing waits for the pins in flight and later
 * uses fail with {@link StoreClosedException}, because RocksDB used after (or while) it is closed aborts the JVM.
 */
public final class RocksBackend implements AutoCloseable {
    static final byte[] FORMAT_KEY = "etcdj.format".getBytes(StandardCharsets.UTF_8);
    static final byte[] FORMAT_VALUE = "etcdj-mvcc-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEASE_FAMILY = "lease".getBytes(StandardCharsets.UTF_8);
    private static final Logger LOG = LoggerFactory.getLogger(RocksBackend.class);
    private static final long CLOSE_WAIT_SECONDS = 10;
    /** An upper bound for the memtable size estimate's key range: above every key the families hold in practice. */
    private static final byte[] BEYOND_ANY_KEY = new byte[64];

    static {
        java.util.Arrays.fill(BEYOND_ANY_KEY, (byte) 0xFF);
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache blockCache;
    private final List<ColumnFamilyHandle> handles;
    private final WriteOptions writeOptions;
    /** Times commits (etcd_disk_backend_commit_duration_seconds). */
    private final MonotonicClock clock;
    /** Shared by every use of the database, taken exclusively by {@link #close}. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Set under lifecycle's write lock; read under its read lock. */
    private boolean closed;
    private final Pin release = () -> lifecycle.readLock().unlock();

    private RocksBackend(RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions, LRUCache blockCache,
                         List<ColumnFamilyHandle> handles, MonotonicClock clock) {
        this.db = db;
        this.clock = clock;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.blockCache = blockCache;
        this.handles = handles;
        this.writeOptions = new WriteOptions().setDisableWAL(true);
    }

    /**
     * Opens the database in {@code dir}, creating it when the directory does not exist or is empty. A directory
     * holding anything that is not an etcdj store is refused, never modified.
     */
    public static RocksBackend open(Path dir) throws IOException {
        return open(dir, MonotonicClock.SYSTEM);
    }

    /** As {@link #open(Path)}, timing commits with {@code clock}. */
    public static RocksBackend open(Path dir, MonotonicClock clock) throws IOException {
        boolean fresh = !Files.exists(dir) || isEmptyDir(dir);
        if (!fresh && !Files.exists(dir.resolve("CURRENT"))) {
            throw new IOException("refusing to open " + dir + ": it is not empty and holds no etcdj database;"
                    + " point --data-dir at an etcdj data directory or an empty one");
        }
        Files.createDirectories(dir);
        LRUCache cache = new LRUCache(64L << 20);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(new BloomFilter(10, false));
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setTableFormatConfig(table);
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(fresh)
                .setCreateMissingColumnFamilies(fresh)
                .setAtomicFlush(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(3);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("key".getBytes(StandardCharsets.UTF_8), cfOptions),
                new ColumnFamilyDescriptor("rev".getBytes(StandardCharsets.UTF_8), cfOptions)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            // stores written before leases existed lack the lease family: it is added once the format is checked
            boolean hasLeases = fresh || hasFamily(dir, LEASE_FAMILY);
            if (hasLeases) {
                descriptors.add(new ColumnFamilyDescriptor(LEASE_FAMILY, cfOptions));
            }
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            RocksBackend backend = new RocksBackend(db, dbOptions, cfOptions, cache, handles, clock);
            backend.checkFormat(dir, fresh);
            if (!hasLeases) {
                handles.add(db.createColumnFamily(new ColumnFamilyDescriptor(LEASE_FAMILY, cfOptions)));
            }
            return backend;
        } catch (RocksDBException e) {
            throw new IOException("cannot open the store in " + dir + ": " + e.getMessage()
                    + " (is another etcdj using this --data-dir?)", e);
        }
    }

    private static boolean hasFamily(Path dir, byte[] name) throws RocksDBException {
        try (Options options = new Options()) {
            return RocksDB.listColumnFamilies(options, dir.toString()).stream()
                    .anyMatch(f -> java.util.Arrays.equals(f, name));
        }
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private void checkFormat(Path dir, boolean fresh) throws IOException, RocksDBException {
        byte[] format = db.get(meta(), FORMAT_KEY);
        if (format == null && fresh) {
            db.put(meta(), new WriteOptions(), FORMAT_KEY, FORMAT_VALUE); // with RocksDB's WAL: must survive
            return;
        }
        if (format == null || !java.util.Arrays.equals(format, FORMAT_VALUE)) {
            close();
            throw new IOException("refusing to open " + dir + ": it is a RocksDB database but not an etcdj store"
                    + " (format " + (format == null ? "unknown" : new String(format, StandardCharsets.UTF_8))
                    + "); point --data-dir elsewhere");
        }
    }

    /**
     * Keeps the database open until the returned pin is closed, on the same thread (use try-with-resources).
     *
     * @throws StoreClosedException when the store is closed or closing
     */
    public Pin pin() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new StoreClosedException();
        }
        return release;
    }

    /** A use of the open database; see {@link #pin()}. */
    @FunctionalInterface
    public interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    /** The native database; use it only while holding a {@link #pin()}. */
    public RocksDB db() {
        return db;
    }

    public ColumnFamilyHandle meta() {
        return handles.get(0);
    }

    public ColumnFamilyHandle keys() {
        return handles.get(1);
    }

    public ColumnFamilyHandle revisions() {
        return handles.get(2);
    }

    /** Leases and the keys attached to them; written in the same batch as the entry that changes them. */
    public ColumnFamilyHandle leases() {
        return handles.get(3);
    }

    /**
     * Writes a batch (a {@link WriteBatch}, or a {@link WriteBatchWithIndex} that transaction reads were served from)
     * without RocksDB's WAL (the raft log is the durable record), timing it for
     * etcd_disk_backend_commit_duration_seconds.
     */
    public void write(AbstractWriteBatch batch) throws RocksDBException {
        try (Pin p = pin()) {
            long startNanos = clock.nanos();
            switch (batch) {
                case WriteBatch b -> db.write(writeOptions, b);
                case WriteBatchWithIndex b -> db.write(writeOptions, b);
                default -> throw new IllegalArgumentException("unknown batch type " + batch.getClass());
            }
            io.etcdj.server.metrics.DiskMetrics.backendCommitted(clock.nanos() - startNanos);
        }
    }

    /** A value of the meta family, or null. */
    public byte[] metaBytes(byte[] key) throws RocksDBException {
        try (Pin p = pin()) {
            return db.get(meta(), key);
        }
    }

    public long metaLong(byte[] key, long absent) throws RocksDBException {
        byte[] v;
        try (Pin p = pin()) {
            v = db.get(meta(), key);
        }
        return v == null ? absent : KeyCodec.getLong(v, 0);
    }

    /** Makes everything written so far durable in SST files (after this the raft log before it can go). */
    public void flush() throws RocksDBException {
        try (Pin p = pin(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        }
    }

    /**
     * Replaces the contents of every column family with those of the database in {@code checkpoint} (a RocksDB
     * checkpoint of another etcdj store), copying in batches of at most {@link #COPY_BATCH_BYTES}, then flushes.
     * Not atomic: a caller that can crash midway must be able to start over (the copy is idempotent).
     */
    public void replaceWith(Path checkpoint) throws RocksDBException {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, checkpoint.toString())) {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
        }
        List<ColumnFamilyHandle> theirs = new ArrayList<>();
        try (DBOptions o = new DBOptions();
             RocksDB source = RocksDB.openReadOnly(o, checkpoint.toString(), descriptors, theirs)) {
            for (ColumnFamilyHandle mine : handles) {
                clear(mine);
                for (int i = 0; i < descriptors.size(); i++) {
                    if (java.util.Arrays.equals(descriptors.get(i).getName(), mine.getName())) {
                        copy(source, theirs.get(i), mine);
                    }
                }
            }
        } finally {
            theirs.forEach(ColumnFamilyHandle::close);
        }
        flush();
    }

    /** Bytes copied per write batch by {@link #replaceWith}. */
    static final long COPY_BATCH_BYTES = 4L << 20;

    private void clear(ColumnFamilyHandle cf) throws RocksDBException {
        try (RocksIterator it = db.newIterator(cf)) {
            it.seekToFirst();
            if (!it.isValid()) {
                return;
            }
            byte[] first = it.key();
            it.seekToLast();
            byte[] last = it.key();
            byte[] end = java.util.Arrays.copyOf(last, last.length + 1); // the key right after the last one
            try (WriteBatch b = new WriteBatch()) {
                b.deleteRange(cf, first, end);
                write(b);
            }
        }
    }

    private void copy(RocksDB source, ColumnFamilyHandle from, ColumnFamilyHandle to) throws RocksDBException {
        try (RocksIterator it = source.newIterator(from)) {
            WriteBatch b = new WriteBatch();
            try {
                long bytes = 0;
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    byte[] v = it.value();
                    b.put(to, k, v);
                    bytes += k.length + v.length;
                    if (bytes >= COPY_BATCH_BYTES) {
                        write(b);
                        b.close();
                        b = new WriteBatch();
                        bytes = 0;
                    }
                }
                write(b);
            } finally {
                b.close();
            }
        }
    }

    /**
     * Rewrites every family's files without the versions compaction deleted (etcd's defragment). RocksDB does it
     * in the background and keeps serving reads and writes meanwhile; this call returns when it is done.
     */
    public void compactFiles() throws RocksDBException {
        try (Pin p = pin()) {
            for (ColumnFamilyHandle h : handles) {
                db.compactRange(h);
            }
        }
    }

    /** Approximate bytes the database takes on disk and in memtables. */
    public long sizeBytes() {
        return sumProperty("rocksdb.total-sst-files-size");
    }

    /** Approximate bytes of live data (what compaction would leave). */
    public long liveSizeBytes() {
        return sumProperty("rocksdb.estimate-live-data-size");
    }

    /**
     * {@code property} plus the bytes of the entries in the memtables, over every column family; a missing property
     * counts 0. The memtables count by their entries, not their allocated arenas (a fresh memtable reserves
     * megabytes it has not used), so the figure grows with the data: the space quota compares it.
     */
    private long sumProperty(String property) {
        long total = 0;
        try (Pin p = pin(); Slice first = new Slice(new byte[0]); Slice last = new Slice(BEYOND_ANY_KEY)) {
            Range everything = new Range(first, last);
            for (ColumnFamilyHandle h : handles) {
                try {
                    total += db.getLongProperty(h, property);
                } catch (RocksDBException e) {
                    // a missing property only makes the figure smaller
                }
                total += db.getApproximateMemTableStats(h, everything).size;
            }
        }
        return total;
    }

    /**
     * Closes the database once the uses in flight end. A use that outlasts {@link #CLOSE_WAIT_SECONDS} leaves the
     * native database open (leaked until the process exits) rather than pulled from under it.
     */
    @Override
    public void close() {
        try {
            if (!lifecycle.writeLock().tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.error("the store is still in use after {} s; leaving it open until the process exits",
                        CLOSE_WAIT_SECONDS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("interrupted while waiting to close the store; leaving it open until the process exits");
            return;
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeNative();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void closeNative() {
        writeOptions.close();
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        dbOptions.close();
        cfOptions.close();
        blockCache.close();
    }
}
