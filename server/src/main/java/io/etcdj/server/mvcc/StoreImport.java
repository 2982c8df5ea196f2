package io.etcdj.server.mvcc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Fills a new, empty store with history read from elsewhere (an etcd database), in bounded write batches: changes
 * at their original revisions, lease entries, then the revision and compaction records. The store's consistent
 * index stays 0: the member's own log starts afresh on top of it. Open, write and close it on one thread; nobody
 * else may use the directory meanwhile.
 */
public final class StoreImport implements AutoCloseable {
    private static final long BATCH_BYTES = 4L << 20;

    /** A live key (its newest version is not a deletion) as the import left it. */
    public interface LiveKeyVisitor {
        void live(byte[] userKey, byte[] keyValue) throws IOException;
    }

    private final RocksBackend backend;
    private WriteBatch batch = new WriteBatch();
    private long batchBytes;

    private StoreImport(RocksBackend backend) {
        this.backend = backend;
    }

    /** Creates the store in {@code dir}, which must not exist or be empty. */
    public static StoreImport create(Path dir) throws IOException {
        if (RocksBackend.holdsStore(dir)) {
            throw new IOException("refusing to import into " + dir + ": it already holds a store");
        }
        return new StoreImport(RocksBackend.open(dir));
    }

    /**
     * Records one change: a new version ({@code keyValue}: mvccpb.KeyValue bytes) or a deletion
     * ({@code keyValue} null) of {@code userKey} at revision (main, sub).
     */
    public void change(long main, long sub, byte[] userKey, byte[] keyValue) throws IOException {
        boolean deletion = keyValue == null;
        byte[] index = KeyCodec.indexKey(KeyCodec.encodeUserKey(userKey), main, sub);
        byte[] revValue = new byte[userKey.length + 1];
        revValue[0] = (byte) (deletion ? 1 : 0);
        System.arraycopy(userKey, 0, revValue, 1, userKey.length);
        try {
            batch.put(backend.keys(), index, deletion ? new byte[0] : keyValue);
            batch.put(backend.revisions(), KeyCodec.revisionKey(main, sub), revValue);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        added(index.length * 2L + revValue.length + (deletion ? 0 : keyValue.length));
    }

    /** Writes one entry of the lease family (built by the lease package's codec). */
    public void leaseEntry(byte[] key, byte[] value) throws IOException {
        try {
            batch.put(backend.leases(), key, value);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        added(key.length + value.length);
    }

    /** Writes one entry of the meta family (records other packages lay out: users and roles). */
    public void metaEntry(byte[] key, byte[] value) throws IOException {
        try {
            batch.put(backend.meta(), key, value);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        added(key.length + value.length);
    }

    private void added(long bytes) throws IOException {
        batchBytes += bytes;
        if (batchBytes >= BATCH_BYTES) {
            writeBatch();
        }
    }

    private void writeBatch() throws IOException {
        try {
            backend.write(batch);
        } catch (RocksDBException e) {
            throw new IOException("writing the imported data: " + e.getMessage(), e);
        }
        batch.close();
        batch = new WriteBatch();
        batchBytes = 0;
    }

    /** Visits every key whose newest imported version is live, in key order (after {@link #flushChanges}). */
    public void forEachLiveKey(LiveKeyVisitor visitor) throws IOException {
        try (RocksBackend.Pin p = backend.pin();
                RocksIterator it = backend.db().newIterator(backend.keys())) {
            it.seekToFirst();
            while (it.isValid()) {
                byte[] indexKey = it.key();
                byte[] enc = Arrays.copyOf(indexKey, KeyCodec.encodedUserKeyLength(indexKey));
                byte[] value = it.value(); // the newest version sorts first
                if (value.length > 0) {
                    visitor.live(KeyCodec.userKeyOf(indexKey), value);
                }
                it.seek(KeyCodec.seekPastAllVersions(enc));
            }
        }
    }

    /** Writes what is batched so far. */
    public void flushChanges() throws IOException {
        writeBatch();
    }

    /** Records the store's revision and compaction, and makes everything durable. */
    public void finish(long currentRevision, long scheduledCompact, long finishedCompact) throws IOException {
        try {
            batch.put(backend.meta(), MvccStore.CURRENT_REVISION, KeyCodec.longBytes(currentRevision));
            if (scheduledCompact > 0) {
                batch.put(backend.meta(), MvccStore.SCHEDULED_COMPACT, KeyCodec.longBytes(scheduledCompact));
            }
            if (finishedCompact > 0) {
                batch.put(backend.meta(), MvccStore.FINISHED_COMPACT, KeyCodec.longBytes(finishedCompact));
            }
            batch.put(backend.meta(), MvccStore.CONSISTENT_INDEX, KeyCodec.longBytes(0));
            writeBatch();
            backend.flush(); // the store's WAL is off: only flushed data survives
        } catch (RocksDBException e) {
            throw new IOException("finishing the import: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        batch.close();
        backend.close();
    }
}
