package io.etcdj.server.mvcc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * One open generation of a store's database ({@link RocksBackend}) and the options it was opened with. Its pin count
 * and retirement share one word: {@link #pins} counts the pins in flight, plus {@link #RETIRED} once no new pin may
 * start; whoever brings it to exactly RETIRED (the last unpin, or the retirement itself when nothing is pinned)
 * closes the native database, exactly once.
 */
final class RocksInstance {
    static final byte[] FORMAT_KEY = "etcdj.format".getBytes(StandardCharsets.UTF_8);
    static final byte[] FORMAT_VALUE = "etcdj-mvcc-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEASE_FAMILY = "lease".getBytes(StandardCharsets.UTF_8);
    private static final long RETIRED = 1L << 62;
    /**
     * The block cache, which also carries the memtables' budget: what the store holds in memory stays under this
     * whatever is written (RocksDB's default, 64 MB of memtable per column family plus one flushing, grew a member's
     * RSS by ~100 MB under a minute of puts).
     */
    private static final long CACHE_BYTES = 64L << 20;
    /** All column families' memtables together; past it the largest is flushed (with atomic flush: all of them). */
    private static final long MEMTABLE_BUDGET_BYTES = 32L << 20;

    final long generation;
    final Path path;
    final RocksDB db;
    final DBOptions dbOptions;
    final ColumnFamilyOptions cfOptions;
    final LRUCache blockCache;
    final WriteBufferManager memtables;
    final List<ColumnFamilyHandle> handles;
    final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
    final AtomicLong pins = new AtomicLong();
    final CountDownLatch closedLatch = new CountDownLatch(1);
    /** Set before {@link #retire} when the instance was replaced: its files go once it is closed. */
    volatile Runnable afterClose = () -> {};

    RocksInstance(
            long generation,
            Path path,
            RocksDB db,
            DBOptions dbOptions,
            ColumnFamilyOptions cfOptions,
            LRUCache blockCache,
            WriteBufferManager memtables,
            List<ColumnFamilyHandle> handles) {
        this.generation = generation;
        this.path = path;
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.blockCache = blockCache;
        this.memtables = memtables;
        this.handles = handles;
    }

    boolean tryPin() {
        for (; ; ) {
            long s = pins.get();
            if (s >= RETIRED) {
                return false;
            }
            if (pins.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    void unpin() {
        if (pins.decrementAndGet() == RETIRED) {
            closeNative();
        }
    }

    /** No new pins; closes now, or when the last pin in flight is released. Called once. */
    void retire() {
        if (pins.getAndAdd(RETIRED) == 0) {
            closeNative();
        }
    }

    void closeNative() {
        try {
            writeOptions.close();
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            db.close();
            dbOptions.close();
            cfOptions.close();
            memtables.close();
            blockCache.close();
            afterClose.run();
        } finally {
            closedLatch.countDown();
        }
    }

    static RocksInstance open(Path path, long generation, boolean fresh) throws IOException {
        LRUCache cache = new LRUCache(CACHE_BYTES);
        WriteBufferManager memtables = new WriteBufferManager(MEMTABLE_BUDGET_BYTES, cache);
        BlockBasedTableConfig table =
                new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(new BloomFilter(10, false));
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setTableFormatConfig(table);
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(fresh)
                .setCreateMissingColumnFamilies(fresh)
                .setAtomicFlush(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(3)
                .setWriteBufferManager(memtables);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("key".getBytes(StandardCharsets.UTF_8), cfOptions),
                new ColumnFamilyDescriptor("rev".getBytes(StandardCharsets.UTF_8), cfOptions)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            // stores written before leases existed lack the lease family: it is added once the format is checked
            boolean hasLeases = fresh || hasFamily(path, LEASE_FAMILY);
            if (hasLeases) {
                descriptors.add(new ColumnFamilyDescriptor(LEASE_FAMILY, cfOptions));
            }
            RocksDB db = RocksDB.open(dbOptions, path.toString(), descriptors, handles);
            RocksInstance instance =
                    new RocksInstance(generation, path, db, dbOptions, cfOptions, cache, memtables, handles);
            checkFormat(instance, fresh);
            if (!hasLeases) {
                handles.add(db.createColumnFamily(new ColumnFamilyDescriptor(LEASE_FAMILY, cfOptions)));
            }
            return instance;
        } catch (RocksDBException e) {
            throw new IOException(
                    "cannot open the store in " + path + ": " + e.getMessage()
                            + " (is another etcdj using this --data-dir?)",
                    e);
        }
    }

    private static boolean hasFamily(Path dir, byte[] name) throws RocksDBException {
        try (Options options = new Options()) {
            return RocksDB.listColumnFamilies(options, dir.toString()).stream().anyMatch(f -> Arrays.equals(f, name));
        }
    }

    private static void checkFormat(RocksInstance instance, boolean fresh) throws IOException, RocksDBException {
        ColumnFamilyHandle meta = instance.handles.get(0);
        byte[] format = instance.db.get(meta, FORMAT_KEY);
        if (format == null && fresh) {
            try (WriteOptions synced = new WriteOptions()) { // with RocksDB's WAL: must survive
                instance.db.put(meta, synced, FORMAT_KEY, FORMAT_VALUE);
            }
            return;
        }
        if (format == null || !Arrays.equals(format, FORMAT_VALUE)) {
            instance.retire();
            throw new IOException("refusing to open " + instance.path + ": it is a RocksDB database but not an"
                    + " etcdj store (format "
                    + (format == null ? "unknown" : new String(format, StandardCharsets.UTF_8))
                    + "); point --data-dir elsewhere");
        }
    }
}
