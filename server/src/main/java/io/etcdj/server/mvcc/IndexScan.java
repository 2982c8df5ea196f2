package io.etcdj.server.mvcc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Reads of the "key" family at a revision, over any iterator (the database's, or a write batch merged over it).
 * Each key costs one seek to its newest version at or below the revision read.
 */
final class IndexScan {
    private IndexScan() {
    }

    /** The live key-value of {@code key} at revision {@code atRev}, or null when absent or deleted then. */
    static KeyValue get(RocksIterator it, byte[] key, long atRev) {
        byte[] enc = KeyCodec.encodeUserKey(key);
        it.seek(KeyCodec.seekAtOrBelow(enc, atRev));
        if (!it.isValid() || !KeyCodec.sameUserKey(it.key(), enc)) {
            return null;
        }
        return decode(it.value());
    }

    /**
     * Scans {@code range} at {@code atRev}: collects up to {@code limit} key-values (0 = no limit; none when
     * {@code countOnly}) and counts every live key.
     */
    static RangeResult scan(RocksIterator it, KeyRange range, long atRev, long limit, boolean countOnly,
                            long currentRevision) {
        if (range.isSingleKey()) {
            KeyValue kv = get(it, range.start(), atRev);
            List<KeyValue> kvs = kv == null || countOnly ? List.of() : List.of(kv);
            return new RangeResult(kvs, kv == null ? 0 : 1, currentRevision);
        }
        List<KeyValue> kvs = new ArrayList<>();
        long count = 0;
        it.seek(KeyCodec.seekAtOrBelow(KeyCodec.encodeUserKey(range.start()), atRev));
        while (it.isValid()) {
            byte[] indexKey = it.key();
            byte[] userKey = KeyCodec.userKeyOf(indexKey);
            if (range.isPastEnd(userKey)) {
                break;
            }
            byte[] enc = java.util.Arrays.copyOf(indexKey, KeyCodec.encodedUserKeyLength(indexKey));
            if (KeyCodec.revisionOfIndexKey(indexKey).main() > atRev) {
                it.seek(KeyCodec.seekAtOrBelow(enc, atRev)); // newer than the read: step back in time
                if (!it.isValid() || !KeyCodec.sameUserKey(it.key(), enc)) {
                    continue; // no version that old: the iterator already stands on the next key
                }
            }
            byte[] value = it.value();
            if (value.length > 0) {
                count++;
                if (!countOnly && (limit <= 0 || kvs.size() < limit)) {
                    kvs.add(decode(value));
                }
            }
            it.next();
            if (it.isValid() && KeyCodec.sameUserKey(it.key(), enc)) {
                it.seek(KeyCodec.seekPastAllVersions(enc)); // skip older versions of this key
            }
        }
        return new RangeResult(kvs, count, currentRevision);
    }

    /** An index value: the KeyValue of a put, or empty for a deletion (tombstone). */
    static KeyValue decode(byte[] value) {
        if (value.length == 0) {
            return null;
        }
        try {
            return KeyValue.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt key-value record in the store", e);
        }
    }
}
