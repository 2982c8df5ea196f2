package io.etcdj.server.mvcc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Arrays;

/**
 * Removes history before a compaction revision, in the background and in bounded batches: every version that a
 * newer version at or below the compaction revision supersedes, and deletions below it. The newest version
 * of each key at the compaction revision stays, so reads at any revision from it on are unchanged, and so does every
 * change made at the compaction revision or later, so a watch may start at the compaction revision.
 *
 * <p>Safe beside the applier: the applier only adds versions above the compaction revision, which never change
 * what is removed here.
 */
final class Compactor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    private static final int BATCH_KEYS = 1000;

    private final RocksBackend backend;
    /** One compaction at a time, in the order scheduled. */
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mvcc-compactor");
        t.setDaemon(true);
        return t;
    });

    Compactor(RocksBackend backend) {
        this.backend = backend;
    }

    CompletableFuture<Void> submit(long fromRevision, long toRevision) {
        return CompletableFuture.runAsync(() -> {
            try {
                compact(fromRevision, toRevision);
            } catch (RocksDBException e) {
                LOG.error("compaction to revision {} failed; it resumes at the next start: {}", toRevision,
                        e.getMessage());
                throw new IllegalStateException(e);
            }
        }, executor);
    }

    private void compact(long fromRevision, long toRevision) throws RocksDBException {
        long removed = 0;
        byte[] start = KeyCodec.revisionKey(Math.max(fromRevision - 1, 0), 0);
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
                        ? KeyCodec.revisionOfIndexKey(keys.key()) : null;
                boolean superseded = newest != null && rev.compareTo(newest) < 0;
                // a deletion at the compaction revision itself stays until the next compaction: a watcher may
                // still start at that revision and must see it
                boolean deletion = value[0] == 1 && rev.main() < toRevision;
                if (superseded || deletion) {
                    doomed.add(new byte[][] {revs.key(), KeyCodec.indexKey(enc, rev.main(), rev.sub())});
                }
                if (doomed.size() >= BATCH_KEYS) {
                    removed += delete(doomed);
                    if (Thread.currentThread().isInterrupted()) { // closing: the next start resumes from here
                        LOG.info("compaction to revision {} interrupted by shutdown; it resumes at the next start",
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
        return n;
    }

    /** Waits until every compaction submitted so far has finished. */
    void awaitIdle() {
        try {
            CompletableFuture.runAsync(() -> { }, executor).join();
        } catch (RuntimeException e) {
            // shut down: nothing runs
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
