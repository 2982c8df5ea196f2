package io.etcdj.server.mvcc;

import io.etcdj.server.common.Failpoints;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.metrics.DiskMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.rocksdb.AbstractWriteBatch;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.MutableDBOptions;
import org.rocksdb.Range;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
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
 * A pin holds one database instance for the thread that took it: {@link #db()} and the family handles answer that
 * instance until the pin is released, however many times the thread pins again meanwhile.
 *
 * <p>Installing a leader's snapshot ({@link #replaceWith}) never rewrites the database in use. The snapshot is
 * opened as a new database in its own directory, a durable marker switches to it, and new pins go to it; pins in
 * flight finish on the old one, which closes (and its files go) when the last of them is released. A reader sees
 * the old store or the new one, never a mix. Directory layout:
 * <pre>
 *   dir/CURRENT, *.sst, ...  generation 0: the database as first created, until a snapshot is installed
 *   dir/ACTIVE               once a snapshot was installed: names the generation in use, "gen-N"
 *   dir/gen-N/               generation N, made from the N-th installed snapshot
 * </pre>
 * A crash at any step of an install leaves ACTIVE naming either the old generation or the new, complete one; the
 * next {@link #open} removes whatever the other one left.
 */
public final class RocksBackend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RocksBackend.class);
    private static final long CLOSE_WAIT_SECONDS = 10;
    /** An upper bound for the memtable size estimate's key range: above every key the families hold in practice. */
    private static final byte[] BEYOND_ANY_KEY = new byte[64];

    static {
        Arrays.fill(BEYOND_ANY_KEY, (byte) 0xFF);
        RocksLibrary.load();
    }

    private final Path dir;
    /** Times commits (etcd_disk_backend_commit_duration_seconds). */
    private final MonotonicClock clock;
    /** The database new pins go to. Written by {@link #replaceWith} under {@link #installLock}; read by anyone. */
    private volatile RocksInstance current;
    /** Set once, by {@link #close}; read by {@link #pin}. */
    private volatile boolean closed;
    /** Held by {@link #replaceWith} and {@link #close}: one install at a time, and none once closing. */
    private final Object installLock = new Object();
    /** Replaced databases that pins in flight keep open; guarded by itself. {@link #close} waits for them. */
    private final List<RocksInstance> retiring = new ArrayList<>();
    /** Per thread: the instance it holds pinned, and how deep. Touched only by its own thread. */
    private final ThreadLocal<Held> held = ThreadLocal.withInitial(Held::new);

    /** A thread's pin: the instance and the nesting depth (0: nothing pinned). Only its own thread touches it. */
    private static final class Held implements Pin {
        final Thread owner = Thread.currentThread();
        RocksInstance instance;
        int depth;

        @Override
        public void close() {
            if (Thread.currentThread() != owner || depth == 0) {
                throw new IllegalStateException("a store pin must be released once, by the thread that took it");
            }
            if (--depth == 0) {
                RocksInstance i = instance;
                instance = null;
                i.unpin();
            }
        }
    }

    private RocksBackend(Path dir, MonotonicClock clock, RocksInstance first) {
        this.dir = dir;
        this.clock = clock;
        this.current = first;
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
        String active = StoreGenerations.readActive(dir);
        RocksInstance opened;
        if (active != null) {
            opened = RocksInstance.open(dir.resolve(active), StoreGenerations.generationOf(active), false);
        } else {
            boolean fresh = !Files.exists(dir) || StoreGenerations.isEmptyDir(dir);
            if (!fresh && !Files.exists(dir.resolve("CURRENT"))) {
                throw new IOException("refusing to open " + dir + ": it is not empty and holds no etcdj database;"
                        + " point --data-dir at an etcdj data directory or an empty one");
            }
            Files.createDirectories(dir);
            opened = RocksInstance.open(dir, 0, fresh);
        }
        // only once the database in use is open (and locked): what an install cut short by a crash left, the
        // replaced generation (after the switch) or a staged one (before it)
        try {
            StoreGenerations.removeAllBut(dir, active);
        } catch (IOException | RuntimeException e) {
            opened.retire();
            throw e;
        }
        return new RocksBackend(dir, clock, opened);
    }

    /** Whether {@code dir} holds a store (of any generation). */
    public static boolean holdsStore(Path dir) {
        return Files.exists(dir.resolve("CURRENT")) || Files.exists(dir.resolve(StoreGenerations.ACTIVE));
    }

    /**
     * Keeps the database open until the returned pin is closed, on the same thread (use try-with-resources). While
     * a thread holds a pin, {@link #db()} and the family handles answer the instance it pinned.
     *
     * @throws StoreClosedException when the store is closed or closing
     */
    public Pin pin() {
        Held h = held.get();
        if (h.depth > 0) {
            h.depth++;
            return h;
        }
        for (; ; ) {
            if (closed) {
                throw new StoreClosedException();
            }
            RocksInstance i = current;
            if (i.tryPin()) {
                h.instance = i;
                h.depth = 1;
                return h;
            }
            Thread.onSpinWait(); // it was replaced (current is already the new one) or the store is closing
        }
    }

    /** A use of the open database; see {@link #pin()}. */
    @FunctionalInterface
    public interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    /** The instance this thread has pinned, else the current one. */
    private RocksInstance using() {
        Held h = held.get();
        return h.depth > 0 ? h.instance : current;
    }

    /** The native database; use it only while holding a {@link #pin()}. */
    public RocksDB db() {
        return using().db;
    }

    /**
     * Which database generation this thread's pin holds (else the current one): 0 until a snapshot is installed,
     * then one more per install.
     */
    public long generation() {
        return using().generation;
    }

    public ColumnFamilyHandle meta() {
        return using().handles.get(0);
    }

    public ColumnFamilyHandle keys() {
        return using().handles.get(1);
    }

    public ColumnFamilyHandle revisions() {
        return using().handles.get(2);
    }

    /** Leases and the keys attached to them; written in the same batch as the entry that changes them. */
    public ColumnFamilyHandle leases() {
        return using().handles.get(3);
    }

    /**
     * Writes a batch (a {@link WriteBatch}, or a {@link WriteBatchWithIndex} that transaction reads were served from)
     * without RocksDB's WAL (the raft log is the durable record), timing it for
     * etcd_disk_backend_commit_duration_seconds.
     */
    public void write(AbstractWriteBatch batch) throws RocksDBException {
        try (Pin p = pin()) {
            RocksInstance i = using();
            long startNanos = clock.nanos();
            switch (batch) {
                case WriteBatch b -> i.db.write(i.writeOptions, b);
                case WriteBatchWithIndex b -> i.db.write(i.writeOptions, b);
                default -> throw new IllegalArgumentException("unknown batch type " + batch.getClass());
            }
            DiskMetrics.backendCommitted(clock.nanos() - startNanos);
        }
    }

    /** A value of the meta family, or null. */
    public byte[] metaBytes(byte[] key) throws RocksDBException {
        try (Pin p = pin()) {
            return db().get(meta(), key);
        }
    }

    public long metaLong(byte[] key, long absent) throws RocksDBException {
        byte[] v = metaBytes(key);
        return v == null ? absent : KeyCodec.getLong(v, 0);
    }

    /** Makes everything written so far durable in SST files (after this the raft log before it can go). */
    public void flush() throws RocksDBException {
        try (Pin p = pin();
                FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            RocksInstance i = using();
            i.db.flush(fo, i.handles);
        }
    }

    /**
     * Replaces the store with the database in {@code checkpoint} (a RocksDB checkpoint of another etcdj store),
     * atomically for readers and durably: the checkpoint becomes a new generation (its table files hard-linked,
     * the small files copied: the checkpoint itself is left as it was), the new generation is opened and flushed,
     * ACTIVE is switched to it, and then new pins go to it. Pins in flight finish on the old generation, whose files
     * go once the last of them is released. Called by the one thread that applies, while nothing is being applied
     * (writes are not carried over).
     *
     * <p>Crash points, in order (see {@link Failpoints}): snapInstallBeforeStage, snapInstallStaged,
     * snapInstallOpened, snapInstallSwitched, snapInstallSwapped. A crash before the switch leaves the old store;
     * from the switch on, the new one.
     */
    public void replaceWith(Path checkpoint) throws IOException {
        synchronized (installLock) {
            if (closed) {
                throw new StoreClosedException();
            }
            RocksInstance old = current;
            long generation = old.generation + 1;
            String name = StoreGenerations.GENERATION_PREFIX + generation;
            Path next = dir.resolve(name);
            Failpoints.hit("snapInstallBeforeStage");
            DurableFiles.deleteTree(next);
            StoreGenerations.stage(checkpoint, next);
            Failpoints.hit("snapInstallStaged");
            RocksInstance fresh = null;
            boolean switched = false;
            try {
                fresh = RocksInstance.open(next, generation, false);
                try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                    fresh.db.flush(fo, fresh.handles); // what the open recovered from the checkpoint's own logs
                } catch (RocksDBException e) {
                    throw new IOException("flushing the installed snapshot in " + next + ": " + e.getMessage(), e);
                }
                Failpoints.hit("snapInstallOpened");
                StoreGenerations.writeActive(dir, name);
                switched = true; // from here a restart opens the new generation: it must stay
                Failpoints.hit("snapInstallSwitched");
            } catch (IOException | RuntimeException | Error e) {
                if (fresh != null) {
                    fresh.retire();
                }
                if (!switched) {
                    StoreGenerations.deleteQuietly(next);
                }
                throw e;
            }
            current = fresh;
            discardWhenClosed(old);
            old.retire();
            Failpoints.hit("snapInstallSwapped");
        }
    }

    /** Arranges for a replaced instance's files to go once it closes, and for {@link #close} to wait for it. */
    private void discardWhenClosed(RocksInstance old) {
        synchronized (retiring) {
            retiring.add(old);
        }
        try {
            old.db.setDBOptions(
                    MutableDBOptions.builder().setAvoidFlushDuringShutdown(true).build());
            // its memtables are worthless now
        } catch (RocksDBException | RuntimeException e) {
            LOG.debug("could not skip the replaced store's flush at close: {}", e.toString());
        }
        old.afterClose = () -> {
            try {
                if (old.generation == 0) {
                    StoreGenerations.removeGenerationZero(dir);
                } else {
                    DurableFiles.deleteTree(old.path);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "could not delete the replaced store {} ({}); the next start deletes it",
                        old.path,
                        e.toString());
            }
            synchronized (retiring) {
                retiring.remove(old);
            }
        };
    }

    /**
     * Rewrites every family's files without the versions compaction deleted (etcd's defragment). RocksDB does it
     * in the background and keeps serving reads and writes meanwhile; this call returns when it is done.
     */
    public void compactFiles() throws RocksDBException {
        try (Pin p = pin()) {
            RocksInstance i = using();
            for (ColumnFamilyHandle h : i.handles) {
                i.db.compactRange(h);
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
        try (Pin p = pin();
                Slice first = new Slice(new byte[0]);
                Slice last = new Slice(BEYOND_ANY_KEY)) {
            RocksInstance i = using();
            Range everything = new Range(first, last);
            for (ColumnFamilyHandle h : i.handles) {
                try {
                    total += i.db.getLongProperty(h, property);
                } catch (RocksDBException e) {
                    // a missing property only makes the figure smaller
                }
                total += i.db.getApproximateMemTableStats(h, everything).size;
            }
        }
        return total;
    }

    /**
     * Closes the database once the uses in flight end (and any replaced one that pins still hold). A use that
     * outlasts {@link #CLOSE_WAIT_SECONDS} leaves its database open until it ends, rather than pulled from under it.
     */
    @Override
    public void close() {
        RocksInstance last;
        synchronized (installLock) {
            if (closed) {
                return;
            }
            closed = true;
            last = current;
        }
        last.retire();
        List<RocksInstance> waitFor;
        synchronized (retiring) {
            waitFor = new ArrayList<>(retiring);
        }
        waitFor.add(last);
        long deadlineNanos = clock.nanos() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
        try {
            for (RocksInstance i : waitFor) {
                long leftNanos = deadlineNanos - clock.nanos();
                if (!i.closedLatch.await(Math.max(0, leftNanos), TimeUnit.NANOSECONDS)) {
                    LOG.error("the store is still in use after {} s; it closes when that use ends", CLOSE_WAIT_SECONDS);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("interrupted while waiting to close the store; it closes when its last use ends");
        }
    }
}
