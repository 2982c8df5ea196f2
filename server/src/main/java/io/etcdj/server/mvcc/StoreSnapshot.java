package io.etcdj.server.mvcc;

import java.io.IOException;
import java.util.Arrays;
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
        this.readOptions = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
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

    /** Every change in history, in revision order (main, then sub). */
    public void forEachChange(ChangeVisitor visitor) throws IOException {
        try (RocksIterator revs = backend.db().newIterator(backend.revisions(), readOptions)) {
            for (revs.seekToFirst(); revs.isValid(); revs.next()) {
                Revision rev = KeyCodec.revisionOfRevisionKey(revs.key());
                byte[] value = revs.value();
                boolean deletion = value[0] == 1;
                byte[] userKey = Arrays.copyOfRange(value, 1, value.length);
                byte[] kv = null;
                if (!deletion) {
                    byte[] indexKey = KeyCodec.indexKey(KeyCodec.encodeUserKey(userKey), rev.main(), rev.sub());
                    kv = backend.db().get(backend.keys(), readOptions, indexKey);
                    if (kv == null) {
                        throw new IOException("the store is inconsistent: revision " + rev + " has no version");
                    }
                }
                visitor.change(rev.main(), rev.sub(), deletion, userKey, kv);
            }
            revs.status();
        } catch (RocksDBException e) {
            throw new IOException("reading the store snapshot: " + e.getMessage(), e);
        }
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
