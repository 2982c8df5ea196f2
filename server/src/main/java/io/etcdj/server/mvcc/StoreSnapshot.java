package io.etcdj.server.mvcc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * The store frozen at one moment (a RocksDB snapshot), read in revision order for an export: every change still in
 * history, the compaction and consistent-index records, and the raw lease family. Writes go on meanwhile and are
 * not seen. Any number of passes read the same data.
 *
 * <p>Holds a {@link RocksBackend.Pin} from open to close: open, read and close it on one thread, and close it
 * promptly (the store cannot close while it is open).
 */
public final class StoreSnapshot implements AutoCloseable {
    /** One change: a new version of a key (its KeyValue bytes, as etcd's mvccpb.KeyValue) or a deletion. */
    public interface ChangeVisitor {
        void change(long main, long sub, boolean deletion, byte[] userKey, byte[] keyValue) throws IOException;
    }

    /** One raw entry of a column family. */
    public interface EntryVisitor {
        void entry(byte[] key, byte[] value) throws IOException;
    }

    private final RocksBackend backend;
    private final RocksBackend.Pin pin;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;

    private StoreSnapshot(RocksBackend backend) {
        this.backend = backend;
        this.pin = backend.pin();
        this.snapshot = backend.db().getSnapshot();
        this.readOptions = new ReadOptions().setSnapshot(snapshot);
    }

    public static StoreSnapshot open(MvccStore store) {
        return new StoreSnapshot(store.backend());
    }

    /** Raft index of the last entry applied into the snapshot. */
    public long consistentIndex() throws IOException {
        return metaLong(MvccStore.CONSISTENT_INDEX, 0);
    }

    /** The compaction revision: reads below it fail. */
    public long scheduledCompactRevision() throws IOException {
        return metaLong(MvccStore.SCHEDULED_COMPACT, 0);
    }

    /** The revision up to which compaction has removed history (at most {@link #scheduledCompactRevision()}). */
    public long finishedCompactRevision() throws IOException {
        return metaLong(MvccStore.FINISHED_COMPACT, 0);
    }

    /** The store's revision in the snapshot. */
    public long currentRevision() throws IOException {
        return metaLong(MvccStore.CURRENT_REVISION, 1);
    }

    private long metaLong(byte[] key, long absent) throws IOException {
        try {
            byte[] v = backend.db().get(backend.meta(), readOptions, key);
            return v == null ? absent : KeyCodec.getLong(v, 0);
        } catch (RocksDBException e) {
            throw new IOException("reading the store snapshot: " + e.getMessage(), e);
        }
    }

    /** Revisions whose versions are fetched with one multi-get (fewer native calls than one get each). */
    private static final int FETCH_BATCH = 1024;

    /** Every change in history, in revision order (main, then sub). */
    public void forEachChange(ChangeVisitor visitor) throws IOException {
        List<Revision> revs = new ArrayList<>(FETCH_BATCH);
        List<byte[]> userKeys = new ArrayList<>(FETCH_BATCH);
        List<Boolean> deletions = new ArrayList<>(FETCH_BATCH);
        long current = currentRevision(); // a write spills its versions above it before it commits: not yet history
        try (RocksIterator it = backend.db().newIterator(backend.revisions(), readOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] value = it.value();
                Revision revision = KeyCodec.revisionOfRevisionKey(it.key());
                if (revision.main() > current) {
                    break;
                }
                revs.add(revision);
                deletions.add(value[0] == 1);
                userKeys.add(Arrays.copyOfRange(value, 1, value.length));
                if (revs.size() == FETCH_BATCH) {
                    visitBatch(revs, userKeys, deletions, visitor);
                }
            }
            it.status();
            visitBatch(revs, userKeys, deletions, visitor);
        } catch (RocksDBException e) {
            throw new IOException("reading the store snapshot: " + e.getMessage(), e);
        }
    }

    private void visitBatch(List<Revision> revs, List<byte[]> userKeys, List<Boolean> deletions, ChangeVisitor visitor)
            throws RocksDBException, IOException {
        List<byte[]> indexKeys = new ArrayList<>(revs.size());
        List<ColumnFamilyHandle> families = new ArrayList<>(revs.size());
        for (int i = 0; i < revs.size(); i++) {
            if (!deletions.get(i)) {
                Revision r = revs.get(i);
                indexKeys.add(KeyCodec.indexKey(KeyCodec.encodeUserKey(userKeys.get(i)), r.main(), r.sub()));
                families.add(backend.keys());
            }
        }
        List<byte[]> values =
                indexKeys.isEmpty() ? List.of() : backend.db().multiGetAsList(readOptions, families, indexKeys);
        int next = 0;
        for (int i = 0; i < revs.size(); i++) {
            Revision r = revs.get(i);
            byte[] kv = null;
            if (!deletions.get(i)) {
                kv = values.get(next++);
                if (kv == null) {
                    throw new IOException("the store is inconsistent: revision " + r + " has no version");
                }
            }
            visitor.change(r.main(), r.sub(), deletions.get(i), userKeys.get(i), kv);
        }
        revs.clear();
        userKeys.clear();
        deletions.clear();
    }

    /** Every entry of the lease family, in key order (its layout belongs to the lease package). */
    public void forEachLeaseEntry(EntryVisitor visitor) throws IOException {
        forEach(backend.leases(), visitor);
    }

    /** Every entry of the meta family, in key order. */
    public void forEachMetaEntry(EntryVisitor visitor) throws IOException {
        forEach(backend.meta(), visitor);
    }

    private void forEach(ColumnFamilyHandle cf, EntryVisitor visitor) throws IOException {
        try (RocksIterator it = backend.db().newIterator(cf, readOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.entry(it.key(), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IOException("reading the store snapshot: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            readOptions.close();
            backend.db().releaseSnapshot(snapshot);
        } finally {
            pin.close();
        }
    }
}
