package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.metrics.ServerMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.rocksdb.AbstractWriteBatch;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The changes one raft entry makes: all its puts and deletes share one main revision (one more than the store's),
 * each with its own sub revision. Reads inside the transaction see its own earlier writes. Nothing is visible to
 * others until {@link #commit}, which makes the new revision current and records the entry's raft index atomically.
 *
 * <p>Memory is bounded whatever the entry touches ({@link WriteLimits}): versions, revision records and lease
 * attachments staged past {@code spillBytes} are written to RocksDB early ("spilled"), at the new revision, which no
 * reader looks at before the commit moves the current revision to it; a crash before the commit leaves them
 * behind, and the next open rolls them back ({@link PartialRevisionRollback}). What must change only at the commit
 * (the meta records, lease records) is held until then. Events past {@code eventsInMemoryBytes} are not kept: the
 * watch hub is told the revision and the span of keys it touched, and reads its events from the store.
 *
 * <p>Not thread-safe: used by the applier thread alone, then closed.
 */
public final class MvccWriteTxn implements KvReader, AutoCloseable {
    /** Failpoint: after a spill reached RocksDB, before the entry's commit. */
    public static final String FAILPOINT_AFTER_SPILL = "mvccAfterSpill";

    /** Past this many keys written (a range delete, a lease revoke) a transaction stops tracking them one by one. */
    static final int MAX_TRACKED_KEYS = 4096;

    private final MvccStore store;
    private final WriteLimits limits;
    private final long beginRevision;
    private final long compactedRevision;
    /** Versions, revision records and attachments not yet spilled: what reads merge over the database. */
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    /**
     * Where changes are staged: {@link #batch}, or during a range delete {@link #bulk}, a plain batch (no index to
     * keep: nothing reads it) that the delete writes to the store before it returns.
     */
    private AbstractWriteBatch staging = batch;

    private final WriteBatch bulk = new WriteBatch();
    /** A change written only with the commit; a null value deletes. */
    private record AtCommit(ColumnFamilyHandle cf, byte[] key, byte[] value) {}

    /** Changes written only with the commit, in order. */
    private final List<AtCommit> atCommit = new ArrayList<>();

    private final ReadOptions readOptions = new ReadOptions();
    /** Keeps the store open from begin to close (both on the applier thread). */
    private final RocksBackend.Pin pin;
    /** The events so far, or null once they outgrew {@link WriteLimits#eventsInMemoryBytes()}. */
    private List<Event> events = new ArrayList<>();

    private long eventBytes;
    private final List<Runnable> onCommit = new ArrayList<>();
    private long sub;
    private long stagedBytes;
    private int spills;
    /** The smallest and largest user key this transaction wrote (for watchers, when its events are not kept). */
    private byte[] lowestKey;

    private byte[] highestKey;
    /** Keys this transaction created (put where absent) minus keys it deleted. */
    private long liveKeysDelta;
    /**
     * The final state of each key this transaction wrote (null: deleted), handed to the store's {@link LatestVersions}
     * at the commit; null once more than {@link #MAX_TRACKED_KEYS} were written (the commit then empties the cache).
     */
    private Map<ByteString, KeyValue> written = new HashMap<>();

    MvccWriteTxn(MvccStore store, WriteLimits limits, long beginRevision, long compactedRevision) {
        this.store = store;
        this.limits = limits;
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

    private RocksIterator iterator(ColumnFamilyHandle cf) {
        RocksBackend b = store.backend();
        return batch.newIteratorWithBase(cf, b.db().newIterator(cf, readOptions), readOptions);
    }

    /** Reads as {@link MvccStore#range}, seeing this transaction's own writes. */
    @Override
    public RangeResult range(KeyRange range, long revision, RangeQuery query) throws MvccException {
        long current = currentRevision();
        long at = MvccStore.resolveRevision(revision, current, compactedRevision);
        try (RocksIterator it = iterator(store.backend().keys())) {
            return IndexScan.scan(it, range, at, query, current);
        }
    }

    /** The live value of one key now, seeing this transaction's writes; null when absent. */
    public KeyValue get(byte[] key) {
        if (written != null) {
            ByteString k = UnsafeByteOperations.unsafeWrap(key); // only for this lookup; never kept
            if (!written.containsKey(k)) { // the cache holds committed versions, not this transaction's
                LatestVersions latest = store.latestVersions();
                KeyValue held = latest.get(k);
                if (held != null || latest.complete()) {
                    return held;
                }
            }
        }
        try (RocksIterator it = iterator(store.backend().keys())) {
            return IndexScan.get(it, key, currentRevision());
        }
    }

    /** Writes a new version of {@code key} and moves its lease attachment; returns the previous live version. */
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
        if (prev == null) {
            liveKeysDelta++;
        }
        track(kv.getKey(), kv);
        ServerMetrics.put();
        Event.Builder event = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
        if (prev != null) {
            event.setPrevKv(prev); // a create event has none, as in etcd
        }
        record(event.build());
        write(key, kv.toByteArray(), false);
        long prevLease = prev == null ? 0 : prev.getLease();
        if (prevLease != lease) { // after the version: a rollback finds attachments through the versions
            if (prevLease != 0) {
                stage(store.backend().leases(), LeaseAttachments.key(prevLease, key), null);
            }
            if (lease != 0) {
                stage(store.backend().leases(), LeaseAttachments.key(lease, key), new byte[0]);
            }
        }
        spillIfFull();
        return prev;
    }

    /**
     * Deletes every live key in {@code range}, in key order, detaching each from its lease and handing its last
     * version to {@code onDeleted}; returns how many were deleted. Reads with one plain store iterator (what this
     * transaction staged is spilled first, so the store holds all of it) and holds one spill's worth of changes.
     */
    public long deleteRange(KeyRange range, Consumer<KeyValue> onDeleted) throws RocksDBException {
        ServerMetrics.deleteRange();
        if (stagedBytes > 0 || batch.count() > 0) {
            spill(); // its own earlier writes must be in the store for the plain iterator to see them
        }
        long at = currentRevision();
        long[] deleted = {0};
        RocksDBException[] failed = {null};
        RocksBackend b = store.backend();
        staging = range.isSingleKey() ? batch : bulk; // a single key stays in the indexed batch: no extra write
        try (RocksIterator it = b.db().newIterator(b.keys(), readOptions)) {
            IndexScan.forEachLive(it, range, at, () -> true, (positioned, value) -> {
                KeyValue prev = IndexScan.decode(value);
                try {
                    delete(prev);
                } catch (RocksDBException e) {
                    failed[0] = e;
                    return false;
                }
                onDeleted.accept(prev);
                deleted[0]++;
                return true;
            });
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        if (staging == bulk) {
            if (bulk.count() > 0) {
                spill(); // later reads in this transaction see the deletions in the store
            }
            staging = batch;
        }
        return deleted[0];
    }

    /**
     * Deletes one key if it is live (as this transaction sees it), detaching it from its lease; returns its last
     * version, or null when there was nothing to delete. Unlike {@link #deleteRange} it spills nothing first.
     */
    public KeyValue deleteKey(byte[] key) throws RocksDBException {
        KeyValue prev = get(key);
        if (prev != null) {
            ServerMetrics.deleteRange();
            delete(prev);
        }
        return prev;
    }

    private void delete(KeyValue prev) throws RocksDBException {
        byte[] key = prev.getKey().toByteArray();
        liveKeysDelta--;
        track(prev.getKey(), null);
        if (events != null) {
            KeyValue tombstone = KeyValue.newBuilder()
                    .setKey(prev.getKey())
                    .setModRevision(writeRevision())
                    .build();
            record(Event.newBuilder()
                    .setType(Event.EventType.DELETE)
                    .setKv(tombstone)
                    .setPrevKv(prev)
                    .build());
        }
        write(key, new byte[0], true);
        if (prev.getLease() != 0) {
            stage(store.backend().leases(), LeaseAttachments.key(prev.getLease(), key), null);
        }
        spillIfFull();
    }

    private void track(ByteString key, KeyValue newest) {
        if (written != null) {
            written.put(key, newest);
            if (written.size() > MAX_TRACKED_KEYS) {
                written = null;
            }
        }
    }

    private void record(Event e) {
        if (events == null) {
            return;
        }
        eventBytes += e.getSerializedSize();
        if (eventBytes > limits.eventsInMemoryBytes()) {
            events = null; // the watch hub reads this revision back from the store
        } else {
            events.add(e);
        }
    }

    private void write(byte[] key, byte[] indexValue, boolean deletion) throws RocksDBException {
        RocksBackend b = store.backend();
        long rev = writeRevision();
        byte[] revValue = new byte[key.length + 1];
        revValue[0] = (byte) (deletion ? 1 : 0);
        System.arraycopy(key, 0, revValue, 1, key.length);
        byte[] revKey = KeyCodec.revisionKey(rev, sub);
        sub++;
        if (lowestKey == null || Arrays.compareUnsigned(key, lowestKey) < 0) {
            lowestKey = key;
        }
        if (highestKey == null || Arrays.compareUnsigned(key, highestKey) > 0) {
            highestKey = key;
        }
        stage(b.keys(), KeyCodec.indexKey(KeyCodec.encodeUserKey(key), rev, sub - 1), indexValue);
        stage(b.revisions(), revKey, revValue);
    }

    /** Stages a change that may be spilled before the commit (versions at the new revision, attachments). */
    private void stage(ColumnFamilyHandle cf, byte[] key, byte[] value) throws RocksDBException {
        if (value == null) {
            staging.delete(cf, key);
            stagedBytes += key.length;
        } else {
            staging.put(cf, key, value);
            stagedBytes += key.length + value.length;
        }
    }

    /** Spills once a whole change (version, revision record, attachments) is staged past the limit, never between. */
    private void spillIfFull() throws RocksDBException {
        if (stagedBytes > limits.spillBytes()) {
            spill();
        }
    }

    /** Writes what is staged to RocksDB ahead of the commit; still invisible, as it lies above the current revision. */
    private void spill() throws RocksDBException {
        RocksBackend b = store.backend();
        b.write(staging);
        staging.clear();
        stagedBytes = 0;
        spills++;
        Failpoints.hit(FAILPOINT_AFTER_SPILL);
    }

    /** How many times this transaction wrote staged changes ahead of its commit. */
    public int spills() {
        return spills;
    }

    void putMeta(byte[] key, long value) {
        atCommit.add(new AtCommit(store.backend().meta(), key, KeyCodec.longBytes(value)));
    }

    /**
     * Writes to the meta column family with the commit, for records other packages lay out (cluster membership);
     * keys must not collide with the store's own ({@code consistent_index}, revisions, format).
     */
    public void putMetaEntry(byte[] key, byte[] value) {
        atCommit.add(new AtCommit(store.backend().meta(), key, value));
    }

    /** Deletes from the meta column family with the commit (see {@link #putMetaEntry}). */
    public void deleteMetaEntry(byte[] key) {
        atCommit.add(new AtCommit(store.backend().meta(), key, null));
    }

    /** Writes a lease record (the lease package's layout, never an attachment) with the commit. */
    public void putLeaseRecord(byte[] key, byte[] value) {
        atCommit.add(new AtCommit(store.backend().leases(), key, value));
    }

    /** Deletes a lease record with the commit. */
    public void deleteLeaseRecord(byte[] key) {
        atCommit.add(new AtCommit(store.backend().leases(), key, null));
    }

    /**
     * Up to {@code max} user keys attached to lease {@code id}, in key order, from {@code fromKey} on (inclusive),
     * seeing this transaction's writes.
     */
    public List<byte[]> attachedKeys(long id, byte[] fromKey, int max) {
        byte[] prefix = LeaseAttachments.prefix(id);
        List<byte[]> keys = new ArrayList<>();
        try (RocksIterator it = iterator(store.backend().leases())) {
            for (it.seek(LeaseAttachments.key(id, fromKey));
                    it.isValid() && KeyCodec.startsWith(it.key(), prefix) && keys.size() < max;
                    it.next()) {
                keys.add(LeaseAttachments.userKey(it.key()));
            }
        }
        return keys;
    }

    /** Removes an attachment no live version backs (a repair; attachments otherwise follow the versions). */
    public void dropAttachment(long id, byte[] key) throws RocksDBException {
        stage(store.backend().leases(), LeaseAttachments.key(id, key), null);
        spillIfFull();
    }

    /** Runs {@code r} once this transaction is committed (never when it is abandoned). */
    public void onCommit(Runnable r) {
        onCommit.add(r);
    }

    /** The changes, in the order made (a Txn's events of one revision); null when there were too many to keep. */
    public List<Event> events() {
        return events;
    }

    /** Writes what is left and the raft index atomically, making the new revision visible. */
    public void commit(long raftIndex) throws RocksDBException {
        RocksBackend b = store.backend();
        long newRevision = currentRevision();
        for (AtCommit c : atCommit) {
            if (c.value() == null) {
                batch.delete(c.cf(), c.key());
            } else {
                batch.put(c.cf(), c.key(), c.value());
            }
        }
        batch.put(b.meta(), MvccStore.CONSISTENT_INDEX, KeyCodec.longBytes(raftIndex));
        if (sub > 0) {
            batch.put(b.meta(), MvccStore.CURRENT_REVISION, KeyCodec.longBytes(newRevision));
        }
        long liveKeys = store.liveKeys() + liveKeysDelta;
        if (liveKeysDelta != 0) {
            batch.put(b.meta(), MvccStore.LIVE_KEYS, KeyCodec.longBytes(liveKeys));
        }
        b.write(batch);
        store.latestVersions().committed(written);
        store.committed(
                newRevision, raftIndex, liveKeys, events == null ? null : List.copyOf(events), lowestKey, highestKey);
        onCommit.forEach(Runnable::run);
    }

    @Override
    public void close() {
        batch.close();
        bulk.close();
        readOptions.close();
        pin.close();
    }
}
