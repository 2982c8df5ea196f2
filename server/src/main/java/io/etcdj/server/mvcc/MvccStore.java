package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.common.MonotonicClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * etcd's multi-version key-value store on RocksDB: every write request creates one store revision, and a read can
 * ask for any revision not yet compacted.
 *
 * <p>Threads: one writer (the applier) calls {@link #beginWrite()} and {@link #scheduleCompaction}; any number of
 * readers call {@link #range}. A reader sees whole write batches only (RocksDB batches are atomic and an iterator
 * reads from a snapshot).
 */
public final class MvccStore implements KvReader, AutoCloseable {
    static final byte[] CONSISTENT_INDEX = "consistent_index".getBytes(StandardCharsets.UTF_8);
    static final byte[] CURRENT_REVISION = "current_revision".getBytes(StandardCharsets.UTF_8);
    static final byte[] SCHEDULED_COMPACT = "scheduled_compact".getBytes(StandardCharsets.UTF_8);
    static final byte[] FINISHED_COMPACT = "finished_compact".getBytes(StandardCharsets.UTF_8);
    /** How many keys are live (not deleted) at the current revision; written with each batch that changes it. */
    static final byte[] LIVE_KEYS = "live_keys".getBytes(StandardCharsets.UTF_8);

    private final RocksBackend backend;
    private final Compactor compactor;
    /** Written by the applier thread only; read by anyone. */
    private volatile long currentRevision;
    /** The revision reads below which fail (etcd's compactMainRev); written by the applier thread only. */
    private volatile long compactedRevision;
    /** The raft index of the last applied batch; written by the applier thread only. */
    private volatile long consistentIndex;
    /** Keys live at {@link #currentRevision} (etcd's etcd_debugging_mvcc_keys_total); written by the applier only. */
    private volatile long liveKeys;

    private static final long LOADING = -1;
    /**
     * The database generation the revision fields belong to, or {@link #LOADING} while {@link #load} replaces them
     * (a restore); written by the loading thread only, read by readers to pair revisions with their pinned database.
     */
    private volatile long stateGeneration = LOADING;
    /** Set at start-up (or by tests) before the applier writes; read by the applier. */
    private volatile WriteLimits writeLimits = WriteLimits.DEFAULT;
    /** Told of each new revision; set before the applier starts (start-up thread), then read by the applier. */
    private volatile CommitListener commitListener = CommitListener.NONE;
    /** The newest versions of recently written keys; the applier thread's (and {@link #load}'s, while none is applied). */
    private LatestVersions latestVersions = new LatestVersions(LatestVersions.DEFAULT_CAPACITY_BYTES);

    private MvccStore(RocksBackend backend, boolean steppedCompaction) throws RocksDBException {
        this.backend = backend;
        this.compactor = new Compactor(backend, steppedCompaction);
        load();
    }

    private void load() throws RocksDBException {
        stateGeneration = LOADING;
        latestVersions.clear(); // they belong to the database being replaced
        this.currentRevision = backend.metaLong(CURRENT_REVISION, 1); // etcd starts at revision 1
        PartialRevisionRollback.run(backend, currentRevision); // what a write spilled before a crash
        this.compactedRevision = backend.metaLong(SCHEDULED_COMPACT, 0);
        this.consistentIndex = backend.metaLong(CONSISTENT_INDEX, 0);
        long stored = backend.metaLong(LIVE_KEYS, -1);
        // a store written before the count was kept, or made by an import, is counted once (a seek per key)
        this.liveKeys = stored >= 0 ? stored : countLiveKeys();
        if (liveKeys == 0) {
            latestVersions.startComplete(); // nothing live to miss: every key written from now on is held
        }
        long finished = backend.metaLong(FINISHED_COMPACT, 0);
        if (compactedRevision > finished) {
            compactor.submit(finished, compactedRevision); // an interrupted compaction resumes
        }
        stateGeneration = backend.generation();
    }

    /** The revisions a read uses, as they belong to the database generation the reading thread has pinned. */
    record ReadView(long currentRevision, long compactedRevision) {}

    /**
     * Call while holding a pin: this store's revisions for the pinned database generation, waiting out a restore's
     * load; null when a restore has replaced the pinned generation (the caller pins again and retries).
     */
    ReadView view() {
        long pinned = backend.generation();
        for (; ; ) {
            long before = stateGeneration;
            long current = currentRevision;
            long compacted = compactedRevision;
            if (before == stateGeneration && before != LOADING) {
                return before == pinned ? new ReadView(current, compacted) : null;
            }
            Thread.onSpinWait(); // a restore is loading the new generation's revisions: a short wait
        }
    }

    /**
     * Replaces this store's contents with a checkpoint of another member's store (a follower installing the leader's
     * snapshot). Called by the applier thread's owner while nothing is being applied; waits for a running compaction
     * first. A read that pins the backend sees the old database or the new one (see {@link RocksBackend#replaceWith});
     * this store's revisions follow once it returns. Idempotent: after a crash, run it again.
     */
    public void restore(Path checkpoint) throws RocksDBException, IOException {
        compactor.awaitIdle();
        backend.replaceWith(checkpoint);
        load();
    }

    public static MvccStore open(Path dir) throws IOException {
        return open(dir, MonotonicClock.SYSTEM);
    }

    /** Opens the store in {@code dir}; {@code clock} times its commits (etcd_disk_backend_commit_duration_seconds). */
    public static MvccStore open(Path dir, MonotonicClock clock) throws IOException {
        return open(dir, clock, false);
    }

    /**
     * {@link #open(Path, MonotonicClock)}, with compactions run by {@link #runCompactionStep()} instead of the
     * {@code mvcc-compactor} thread when {@code steppedCompaction} (the whole-member simulation).
     */
    public static MvccStore open(Path dir, MonotonicClock clock, boolean steppedCompaction) throws IOException {
        RocksBackend backend = RocksBackend.open(dir, clock);
        try {
            return new MvccStore(backend, steppedCompaction);
        } catch (RocksDBException e) {
            backend.close();
            throw new IOException("cannot read the store's state in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long currentRevision() {
        return currentRevision;
    }

    public long compactedRevision() {
        return compactedRevision;
    }

    /** Raft index of the last applied entry whose effects are in the store. */
    public long consistentIndex() {
        return consistentIndex;
    }

    /** How many keys are live (not deleted) at the current revision. */
    public long liveKeys() {
        return liveKeys;
    }

    /** Counts the live keys at the current revision; used while loading, so it reads the database directly. */
    private long countLiveKeys() {
        try (RocksBackend.Pin p = backend.pin();
                RocksIterator it = backend.db().newIterator(backend.keys())) {
            return IndexScan.scan(
                            it,
                            new KeyRange(new byte[0], new byte[0]),
                            currentRevision,
                            RangeQuery.of(0, true),
                            currentRevision)
                    .count();
        }
    }

    public RocksBackend backend() {
        return backend;
    }

    /**
     * Reads {@code range} at {@code revision} (0 or less = current); see {@link IndexScan#scan}.
     */
    @Override
    public RangeResult range(KeyRange range, long revision, RangeQuery query) throws MvccException {
        return atRevision(revision, true, (it, at, v) -> IndexScan.scan(it, range, at, query, v.currentRevision()));
    }

    /** A read over an iterator of the keys family, at a resolved revision of a view. */
    @FunctionalInterface
    private interface ViewRead<T> {
        T read(RocksIterator it, long at, ReadView v) throws MvccException;
    }

    /**
     * Runs {@code body} over a fresh iterator (it reads the implicit snapshot taken when it is created) at
     * {@code revision} resolved against the current view (0 or less = current), with the database pinned; without
     * {@code fillCache} the blocks it reads stay out of the block cache.
     */
    private <T> T atRevision(long revision, boolean fillCache, ViewRead<T> body) throws MvccException {
        for (; ; ) {
            // the default options are not made per read: a Range is the hot path, and options are a native object
            try (RocksBackend.Pin p = backend.pin();
                    ReadOptions options = fillCache ? null : new ReadOptions().setFillCache(false);
                    RocksIterator it = options == null
                            ? backend.db().newIterator(backend.keys())
                            : backend.db().newIterator(backend.keys(), options)) {
                ReadView v = view();
                if (v == null) {
                    continue; // a leader's snapshot replaced the database just now: read the new one
                }
                long at = resolveRevision(revision, v.currentRevision(), v.compactedRevision());
                if (at < compactedRevision) {
                    // compacted after the view was read: removal may have begun before the iterator's snapshot
                    throw new MvccException(MvccException.Kind.COMPACTED);
                }
                return body.read(it, at, v);
            }
        }
    }

    /** What a {@link #read} does with its cursor. */
    @FunctionalInterface
    public interface CursorRead<T> {
        T read(KeyCursor cursor);
    }

    /**
     * Runs {@code body} over one consistent view of the store at {@code revision} (0 or less = current): the
     * cursor's seeks all read the same snapshot. The cursor is valid only during the call.
     */
    public <T> T read(long revision, CursorRead<T> body) throws MvccException {
        return atRevision(
                revision,
                true,
                (it, at, v) -> body.read(new KeyCursor(it, at, Math.max(v.compactedRevision(), compactedRevision))));
    }

    /**
     * {@link #read}, for a scan over much of the keyspace (a search, an accounting): the blocks it reads do not
     * enter the block cache. Each is read once, and a scan larger than the cache would otherwise push out every
     * block the member's other reads use, one at a time (that churn also cost a 1,000,000-key scan about a third
     * of its time: 0.69 against 0.43 us a key, docs/http.md).
     */
    public <T> T scan(long revision, CursorRead<T> body) throws MvccException {
        return atRevision(
                revision,
                false,
                (it, at, v) -> body.read(new KeyCursor(it, at, Math.max(v.compactedRevision(), compactedRevision))));
    }

    static long resolveRevision(long revision, long current, long compacted) throws MvccException {
        if (revision > current) {
            throw new MvccException(MvccException.Kind.FUTURE_REVISION);
        }
        long at = revision <= 0 ? current : revision;
        if (at < compacted) {
            throw new MvccException(MvccException.Kind.COMPACTED);
        }
        return at;
    }

    /** Replaces the newest-version cache with an empty one of {@code capacityBytes} (0: none); before any write. */
    void setLatestVersionsCapacity(long capacityBytes) {
        latestVersions = new LatestVersions(capacityBytes);
        if (liveKeys == 0) {
            latestVersions.startComplete();
        }
    }

    /** The newest-version cache write transactions read through and update (applier thread only). */
    LatestVersions latestVersions() {
        return latestVersions;
    }

    /** Starts the one write of a raft entry. Only the applier thread writes. */
    public MvccWriteTxn beginWrite() {
        return new MvccWriteTxn(this, writeLimits, currentRevision, compactedRevision);
    }

    /** Sets how much of one write is held in memory (tests use small limits); before anything is applied. */
    public void setWriteLimits(WriteLimits limits) {
        this.writeLimits = limits;
    }

    /**
     * Sets who is told of each committed revision (the watch hub). Set it before anything is applied, so that it
     * sees every revision after {@link #currentRevision()} as of this call.
     */
    public void setCommitListener(CommitListener listener) {
        this.commitListener = listener == null ? CommitListener.NONE : listener;
    }

    /**
     * Called by a committed write transaction; {@code events} is empty when the store revision did not move, and null
     * when there were too many to keep (the listener is then told the span of keys the revision changed).
     */
    void committed(
            long newCurrentRevision,
            long index,
            long newLiveKeys,
            List<Event> events,
            byte[] lowestKey,
            byte[] highestKey) {
        this.liveKeys = newLiveKeys;
        this.currentRevision = newCurrentRevision;
        this.consistentIndex = index;
        if (events == null) {
            commitListener.committedInStore(newCurrentRevision, lowestKey, highestKey);
        } else if (!events.isEmpty()) {
            commitListener.committed(newCurrentRevision, events);
        }
    }

    /**
     * Records a compaction at {@code revision} in the write, and starts removing the history before it once the
     * write is committed. The returned future completes when the physical removal is done.
     */
    public CompletableFuture<Void> scheduleCompaction(MvccWriteTxn txn, long revision) throws MvccException {
        if (revision <= compactedRevision) {
            throw new MvccException(MvccException.Kind.COMPACTED);
        }
        if (revision > currentRevision) {
            throw new MvccException(MvccException.Kind.FUTURE_REVISION);
        }
        long previous = compactedRevision;
        txn.putMeta(SCHEDULED_COMPACT, revision);
        CompletableFuture<Void> done = new CompletableFuture<>();
        txn.onCommit(() -> {
            compactedRevision = revision;
            compactor.submit(previous, revision).whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            });
        });
        return done;
    }

    /** Runs the oldest scheduled compaction of a store opened with stepped compaction; false when none waits. */
    public boolean runCompactionStep() {
        return compactor.runStep();
    }

    @Override
    public void close() {
        compactor.close();
        backend.close();
    }
}
