package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The changes one raft entry makes: all its puts and deletes share one main revision (one more than the store's),
 * each with its own sub revision. Reads inside the transaction see its own earlier writes. Nothing is visible to
 * others until {@link #commit}, which writes the changes and the entry's raft index in one atomic batch.
 *
 * <p>Not thread-safe: used by the applier thread alone, then closed.
 */
public final class MvccWriteTxn implements KvReader, AutoCloseable {
    private final MvccStore store;
    private final long beginRevision;
    private final long compactedRevision;
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();
    /** Keeps the store open from begin to close (both on the applier thread). */
    private final RocksBackend.Pin pin;
    private final List<Event> events = new ArrayList<>();
    private final List<Runnable> onCommit = new ArrayList<>();
    private long sub;
    /** Keys this transaction created (put where absent) minus keys it deleted. */
    private long liveKeysDelta;

    MvccWriteTxn(MvccStore store, long beginRevision, long compactedRevision) {
        this.store = store;
        this.beginRevision = beginRevision;
        this.compactedRevision = compactedRevision;
        this.pin = store.backend().pin();
    }

    /** The revision this transaction writes at (if it writes at all). */
    public long writeRevision() {
        return beginRevision + 1;
    }

    /** The store revision as this transaction sees it: one more once it has changed anything. */
    @Override
    public long currentRevision() {
        return sub > 0 ? beginRevision + 1 : beginRevision;
    }

    private RocksIterator iterator() {
        RocksBackend b = store.backend();
        return batch.newIteratorWithBase(b.keys(), b.db().newIterator(b.keys(), readOptions), readOptions);
    }

    /** Reads as {@link MvccStore#range}, seeing this transaction's own writes. */
    @Override
    public RangeResult range(KeyRange range, long revision, long limit, boolean countOnly) throws MvccException {
        long current = currentRevision();
        long at = MvccStore.resolveRevision(revision, current, compactedRevision);
        try (RocksIterator it = iterator()) {
            return IndexScan.scan(it, range, at, limit, countOnly, current);
        }
    }

    /** The live value of one key now, seeing this transaction's writes; null when absent. */
    public KeyValue get(byte[] key) {
        try (RocksIterator it = iterator()) {
            return IndexScan.get(it, key, currentRevision());
        }
    }

    /** Writes a new version of {@code key}; returns the previous live version or null. */
    public KeyValue put(byte[] key, ByteString value, long lease) throws RocksDBException {
        KeyValue prev = get(key);
        long rev = writeRevision();
        KeyValue kv = KeyValue.newBuilder()
                .setKey(ByteString.copyFrom(key))
                .setValue(value)
                .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
                .setModRevision(rev)
                .setVersion(prev == null ? 1 : prev.getVersion() + 1)
                .setLease(lease)
                .build();
        write(key, kv.toByteArray(), false);
        if (prev == null) {
            liveKeysDelta++;
        }
        io.etcdj.server.metrics.ServerMetrics.put();
        Event.Builder event = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
        if (prev != null) {
            event.setPrevKv(prev); // a create event has none, as in etcd
        }
        events.add(event.build());
        return prev;
    }

    /** Deletes every live key in {@code range}; returns their last versions, in key order. */
    public List<KeyValue> deleteRange(KeyRange range) throws RocksDBException {
        io.etcdj.server.metrics.ServerMetrics.deleteRange();
        List<KeyValue> deleted;
        try {
            deleted = range(range, 0, 0, false).kvs();
        } catch (MvccException e) {
            throw new IllegalStateException("reading at the current revision cannot fail", e);
        }
        long rev = writeRevision();
        for (KeyValue prev : deleted) {
            byte[] key = prev.getKey().toByteArray();
            write(key, new byte[0], true);
            liveKeysDelta--;
            KeyValue tombstone = KeyValue.newBuilder().setKey(prev.getKey()).setModRevision(rev).build();
            events.add(Event.newBuilder().setType(Event.EventType.DELETE).setKv(tombstone).setPrevKv(prev).build());
        }
        return deleted;
    }

    private void write(byte[] key, byte[] indexValue, boolean deletion) throws RocksDBException {
        RocksBackend b = store.backend();
        long rev = writeRevision();
        batch.put(b.keys(), KeyCodec.indexKey(KeyCodec.encodeUserKey(key), rev, sub), indexValue);
        byte[] revValue = new byte[key.length + 1];
        revValue[0] = (byte) (deletion ? 1 : 0);
        System.arraycopy(key, 0, revValue, 1, key.length);
        batch.put(b.revisions(), KeyCodec.revisionKey(rev, sub), revValue);
        sub++;
    }

    void putMeta(byte[] key, long value) throws MvccException {
        try {
            batch.put(store.backend().meta(), key, KeyCodec.longBytes(value));
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stages a write to the meta column family in this entry's batch, for records other packages lay out (cluster
     * membership); keys must not collide with the store's own ({@code consistent_index}, revisions, format).
     */
    public void putMetaEntry(byte[] key, byte[] value) throws RocksDBException {
        batch.put(store.backend().meta(), key, value);
    }

    /** Stages a deletion from the meta column family in this entry's batch (see {@link #putMetaEntry}). */
    public void deleteMetaEntry(byte[] key) throws RocksDBException {
        batch.delete(store.backend().meta(), key);
    }

    /** Stages a write to the lease column family (its layout belongs to the lease package) in this entry's batch. */
    public void putLeaseEntry(byte[] key, byte[] value) throws RocksDBException {
        batch.put(store.backend().leases(), key, value);
    }

    /** Stages a deletion from the lease column family in this entry's batch. */
    public void deleteLeaseEntry(byte[] key) throws RocksDBException {
        batch.delete(store.backend().leases(), key);
    }

    /** The lease column family's keys that start with {@code prefix}, in order, seeing this transaction's writes. */
    public List<byte[]> leaseKeys(byte[] prefix) {
        RocksBackend b = store.backend();
        List<byte[]> keys = new ArrayList<>();
        try (RocksIterator it = batch.newIteratorWithBase(b.leases(), b.db().newIterator(b.leases(), readOptions),
                readOptions)) {
            for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                keys.add(it.key());
            }
        }
        return keys;
    }

    /** Runs {@code r} once this transaction is committed (never when it is abandoned). */
    public void onCommit(Runnable r) {
        onCommit.add(r);
    }

    /** The changes, in the order made (a Txn's events of one revision). */
    public List<Event> events() {
        return events;
    }

    /** Writes the changes and the raft index atomically, then makes them visible. */
    public void commit(long raftIndex) throws RocksDBException {
        RocksBackend b = store.backend();
        long newRevision = currentRevision();
        batch.put(b.meta(), MvccStore.CONSISTENT_INDEX, KeyCodec.longBytes(raftIndex));
        if (sub > 0) {
            batch.put(b.meta(), MvccStore.CURRENT_REVISION, KeyCodec.longBytes(newRevision));
        }
        long liveKeys = store.liveKeys() + liveKeysDelta;
        if (liveKeysDelta != 0) {
            batch.put(b.meta(), MvccStore.LIVE_KEYS, KeyCodec.longBytes(liveKeys));
        }
        b.write(batch);
        store.committed(newRevision, raftIndex, liveKeys, List.copyOf(events));
        onCommit.forEach(Runnable::run);
    }

    @Override
    public void close() {
        batch.close();
        readOptions.close();
        pin.close();
    }
}
