package io.etcdj.server.mvcc;

import io.etcdj.server.common.Failpoints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes history before a compaction revision, in the background and in bounded batches: every version that a
 * newer version at or below the compaction revision supersedes, and deletions below it. The newest version
 * of each key at the compaction revision stays, so reads at any revision from it on are unchanged, and so does every
 * change made at the compaction revision or later, so a watch may start at the compaction revision.
 *
 * <p>Safe beside the applier: the applier only adds versions above the compaction revision, which never change
 * what is removed here.
 *
 * <p>Where compactions run: on the {@code mvcc-compactor} thread (production), or, when stepped (the whole-member
 * simulation), one queued compaction per {@link #runStep()} on the caller's thread, so the simulation decides when.
 */
final class Compactor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    private static final int BATCH_KEYS = 1000;
    /**
     * Versions per batch when stepped: small, so that the simulation's few keys still make compactions of several
     * batches, and its readers (probing at {@link #BATCH_DELETED}) see compactions half done.
     */
    private static final int STEPPED_BATCH_KEYS = 8;
    /** Failpoint (docs/failpoints.md): after each batch of removed versions is written. */
    static final String BATCH_DELETED = "compactBatchDeleted";

    private final RocksBackend backend;
    /** One compaction at a time, in the order scheduled; null when stepped. */
    private final ExecutorService thread;
    /** Compactions waiting for a step, oldest first (stepped only). */
    private final ConcurrentLinkedQueue<Runnable> steps = new ConcurrentLinkedQueue<>();

    private final Executor executor;
    private final int batchKeys;

    Compactor(RocksBackend backend, boolean stepped) {
        this.backend = backend;
        this.batchKeys = stepped ? STEPPED_BATCH_KEYS : BATCH_KEYS;
        this.thread = stepped
                ? null
                : Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "mvcc-compactor");
                    t.setDaemon(true);
                    return t;
                });
        this.executor = stepped ? steps::add : thread;
    }

    /** Runs the oldest queued compaction (stepped only); false when none waits. */
    boolean runStep() {
        Runnable r = steps.poll();
        if (r == null) {
            return false;
        }
        r.run();
        return true;
    }

    CompletableFuture<Void> submit(long fromRevision, long toRevision) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        compact(fromRevision, toRevision);
                    } catch (RocksDBException e) {
                        LOG.error(
                                "compaction to revision {} failed; it resumes at the next start: {}",
                                toRevision,
                                e.getMessage());
                        throw new IllegalStateException(e);
                    }
                },
                executor);
    }

    private void compact(long fromRevision, long toRevision) throws RocksDBException {
        long removed = 0;
        long startMain = Math.max(fromRevision - 1, 0);
        byte[] start = KeyCodec.revisionKey(startMain, 0);
        try (RocksBackend.Pin p = backend.pin();
                RocksIterator revs = backend.db().newIterator(backend.revisions());
                RocksIterator keys = backend.db().newIterator(backend.keys())) {
            revs.seek(start);
            List<byte[][]> doomed = new ArrayList<>();
            while (revs.isValid()) {
                Revision rev = KeyCodec.revisionOfRevisionKey(revs.key());
                if (rev.main() > toRevision) {
                    break;
                }
                byte[] value = revs.value();
                byte[] userKey = Arrays.copyOfRange(value, 1, value.length);
                byte[] enc = KeyCodec.encodeUserKey(userKey);
                keys.seek(KeyCodec.seekAtOrBelow(enc, toRevision));
                Revision newest = keys.isValid() && KeyCodec.sameUserKey(keys.key(), enc)
                        ? KeyCodec.revisionOfIndexKey(keys.key())
                        : null;
                boolean superseded = newest != null && rev.compareTo(newest) < 0;
                // a deletion at the compaction revision itself stays until the next compaction: a watcher may
                // still start at that revision and must see it
                boolean deletion = value[0] == 1 && rev.main() < toRevision;
                if (superseded || deletion) {
                    doomed.add(new byte[][] {revs.key(), KeyCodec.indexKey(enc, rev.main(), rev.sub())});
                }
                removeVersionsBelowScan(keys, enc, rev, startMain, doomed);
                if (doomed.size() >= batchKeys) {
                    removed += delete(doomed);
                    if (Thread.currentThread().isInterrupted()) { // closing: the next start resumes from here
                        LOG.info(
                                "compaction to revision {} interrupted by shutdown; it resumes at the next start",
                                toRevision);
                        return;
                    }
                }
                revs.next();
            }
            removed += delete(doomed);
        }
        try (WriteBatch b = new WriteBatch()) {
            b.put(backend.meta(), MvccStore.FINISHED_COMPACT, KeyCodec.longBytes(toRevision));
            backend.write(b);
        }
        LOG.info("compaction finished: revision={} removedVersions={}", toRevision, removed);
    }

    /**
     * Removes the versions of a key older than the scanned version {@code rev} that lie below the scan: what the
     * previous compaction kept (the newest version at or below it). {@code rev} supersedes them, and the scan never
     * reaches them, so they go here, once per key: from its oldest version in the scan. Without this a deletion
     * removed by this compaction would leave the version it deleted readable again (found by the whole-member
     * simulation: a lease's key came back after a second compaction).
     */
    private static void removeVersionsBelowScan(
            RocksIterator keys, byte[] enc, Revision rev, long startMain, List<byte[][]> doomed) {
        if (startMain == 0) {
            return; // the first compaction scans from the start
        }
        keys.seek(KeyCodec.indexKey(enc, rev.main(), rev.sub()));
        if (keys.isValid()) {
            keys.next(); // versions are newest first: the next one is older
        }
        if (!keys.isValid()
                || !KeyCodec.sameUserKey(keys.key(), enc)
                || KeyCodec.revisionOfIndexKey(keys.key()).main() >= startMain) {
            return; // no older version, or one in the scan: the key's oldest version in the scan does this
        }
        for (; keys.isValid() && KeyCodec.sameUserKey(keys.key(), enc); keys.next()) {
            Revision older = KeyCodec.revisionOfIndexKey(keys.key());
            doomed.add(new byte[][] {KeyCodec.revisionKey(older.main(), older.sub()), keys.key()});
        }
    }

    private int delete(List<byte[][]> doomed) throws RocksDBException {
        int n = doomed.size();
        try (WriteBatch b = new WriteBatch()) {
            for (byte[][] pair : doomed) {
                b.delete(backend.revisions(), pair[0]);
                b.delete(backend.keys(), pair[1]);
            }
            backend.write(b);
        }
        doomed.clear();
        Failpoints.hit(BATCH_DELETED);
        return n;
    }

    /** Waits until every compaction submitted so far has finished. */
    void awaitIdle() {
        if (thread == null) {
            while (runStep()) {
                // what the compactor thread would have done before the caller went on
            }
            return;
        }
        try {
            CompletableFuture.runAsync(() -> {}, executor).join();
        } catch (RuntimeException e) {
            // shut down: nothing runs
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
        steps.clear(); // a stepped compaction not run yet resumes at the next start, as an interrupted one
    }
}
