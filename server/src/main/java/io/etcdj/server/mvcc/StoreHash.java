package io.etcdj.server.mvcc;

import java.util.Arrays;
import java.util.zip.CRC32C;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * Hashes of the store for comparing members (etcd's HashKV and Hash). Both read one consistent view (an iterator's
 * implicit snapshot) and depend only on what was applied, never on how far background compaction has got.
 */
public final class StoreHash {
    private StoreHash() {}

    /**
     * The result of {@link #kv}: the hash, the compaction revision it was taken above, the revision it covers, and
     * the store's revision when it was taken.
     */
    public record KvHash(int hash, long compactRevision, long revision, long currentRevision) {}

    /**
     * A CRC-32C of the key-value history up to {@code revision} (0 = current): every version written after the
     * compaction revision, plus each key's newest version at or below it unless that is a deletion (what compaction
     * keeps). Members that applied the same revisions agree; any difference in a kept version changes it.
     */
    public static KvHash kv(MvccStore store, long revision) throws MvccException {
        RocksBackend b = store.backend();
        for (; ; ) {
            try (RocksBackend.Pin p = b.pin();
                    RocksIterator it = b.db().newIterator(b.keys())) {
                MvccStore.ReadView v = store.view();
                if (v != null) { // else a leader's snapshot replaced the database just now: hash the new one
                    return kv(it, revision, v);
                }
            }
        }
    }

    /** Hashes through {@code it}, an iterator over the pinned database that {@code v} describes. */
    private static KvHash kv(RocksIterator it, long revision, MvccStore.ReadView v) throws MvccException {
        long current = v.currentRevision();
        long compacted = v.compactedRevision();
        long at = MvccStore.resolveRevision(revision, current, compacted);
        CRC32C crc = new CRC32C();
        try {
            byte[] group = null; // the encoded user key whose versions are being walked, newest first
            boolean keptBelowCompaction = false;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                int userLength = KeyCodec.encodedUserKeyLength(k);
                if (group == null
                        || !Arrays.equals(group, 0, group.length, k, 0, userLength)
                        || group.length != userLength) {
                    group = Arrays.copyOf(k, userLength);
                    keptBelowCompaction = false;
                }
                long main = KeyCodec.revisionOfIndexKey(k).main();
                if (main > at) {
                    continue;
                }
                byte[] value = it.value();
                if (main <= compacted) {
                    if (keptBelowCompaction) {
                        continue; // superseded at the compaction point: compaction may or may not have removed it
                    }
                    keptBelowCompaction = true;
                    if (value.length == 0) {
                        continue; // a deletion at or below the compaction point leaves nothing
                    }
                }
                crc.update(k);
                crc.update(value);
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IllegalStateException("reading the store for a hash failed: " + e.getMessage(), e);
        }
        return new KvHash((int) crc.getValue(), compacted, at, current);
    }

    /**
     * A CRC-32C of everything in the store's families (keys, leases, membership, meta): etcd's Hash, for tests
     * that compare one member's state over time, not members with each other.
     */
    public static int all(MvccStore store) {
        CRC32C crc = new CRC32C();
        RocksBackend b = store.backend();
        try (RocksBackend.Pin p = b.pin()) {
            Snapshot snapshot = b.db().getSnapshot(); // one view across the families
            try (ReadOptions read = new ReadOptions().setSnapshot(snapshot)) {
                for (ColumnFamilyHandle h : new ColumnFamilyHandle[] {b.meta(), b.keys(), b.revisions(), b.leases()}) {
                    try (RocksIterator it = b.db().newIterator(h, read)) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            crc.update(it.key());
                            crc.update(it.value());
                        }
                    }
                }
            } finally {
                b.db().releaseSnapshot(snapshot);
            }
        }
        return (int) crc.getValue();
    }
}
