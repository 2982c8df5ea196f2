package io.etcdj.server.mvcc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.mvccpb.KeyValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Reads of the "key" family at a revision, over any iterator (the database's, or a write batch merged over it).
 * Each key costs one seek to its newest version at or below the revision read. A key only counted is never copied
 * out of RocksDB (its value's length says whether it is live), so counting a range of any size holds no memory.
 */
final class IndexScan {
    private IndexScan() {
    }

    /** Sees each key live in a range, in key order, with the iterator on its version; false stops the scan. */
    @FunctionalInterface
    interface LiveVisitor {
        boolean visit(RocksIterator positioned);
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
     * Scans {@code range} at {@code atRev}: counts every live key and collects what {@code query} asks for (see
     * {@link RangeQuery}). Stops collecting, but not counting, at the limit; stops altogether once the budget is
     * spent (the result is then incomplete, and the budget says so).
     */
    static RangeResult scan(RocksIterator it, KeyRange range, long atRev, RangeQuery query, long currentRevision) {
        List<KeyValue> kvs = new ArrayList<>();
        long[] count = {0};
        forEachLive(it, range, atRev, positioned -> {
            count[0]++;
            if (query.countOnly() || query.limit() > 0 && kvs.size() >= query.limit()) {
                return true;
            }
            byte[] value = positioned.value();
            KeyValue kv = decode(value);
            if (query.keep().test(kv)) {
                if (query.keysOnly()) {
                    kv = kv.toBuilder().clearValue().build();
                }
                if (!query.budget().take(query.keysOnly() ? kv.getSerializedSize() : value.length)) {
                    return false;
                }
                kvs.add(kv);
            }
            return true;
        });
        return new RangeResult(kvs, count[0], currentRevision);
    }

    /** Up to {@code max} key-values live in {@code range} at {@code atRev}, in key order (no count). */
    static List<KeyValue> first(RocksIterator it, KeyRange range, long atRev, int max) {
        List<KeyValue> kvs = new ArrayList<>();
        forEachLive(it, range, atRev, positioned -> {
            kvs.add(decode(positioned.value()));
            return kvs.size() < max;
        });
        return kvs;
    }

    /** Visits each key live in {@code range} at {@code atRev}, in key order, until the visitor says stop. */
    static void forEachLive(RocksIterator it, KeyRange range, long atRev, LiveVisitor visitor) {
        if (range.isSingleKey()) {
            byte[] enc = KeyCodec.encodeUserKey(range.start());
            it.seek(KeyCodec.seekAtOrBelow(enc, atRev));
            if (it.isValid() && KeyCodec.sameUserKey(it.key(), enc) && isLive(it)) {
                visitor.visit(it);
            }
            return;
        }
        it.seek(KeyCodec.seekAtOrBelow(KeyCodec.encodeUserKey(range.start()), atRev));
        while (it.isValid()) {
            byte[] indexKey = it.key();
            byte[] userKey = KeyCodec.userKeyOf(indexKey);
            if (range.isPastEnd(userKey)) {
                break;
            }
            byte[] enc = Arrays.copyOf(indexKey, KeyCodec.encodedUserKeyLength(indexKey));
            if (KeyCodec.revisionOfIndexKey(indexKey).main() > atRev) {
                it.seek(KeyCodec.seekAtOrBelow(enc, atRev)); // newer than the read: step back in time
                if (!it.isValid() || !KeyCodec.sameUserKey(it.key(), enc)) {
                    continue; // no version that old: the iterator already stands on the next key
                }
            }
            if (isLive(it) && !visitor.visit(it)) {
                return;
            }
            it.next();
            if (it.isValid() && KeyCodec.sameUserKey(it.key(), enc)) {
                it.seek(KeyCodec.seekPastAllVersions(enc)); // skip older versions of this key
            }
        }
    }

    /** Holds no value bytes: RocksDB only reports a value's length into it. */
    private static final ThreadLocal<ByteBuffer> LENGTH_PROBE = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1));

    /** True when the version under the iterator is a put (a deletion's value is empty), without copying it. */
    private static boolean isLive(RocksIterator it) {
        ByteBuffer probe = LENGTH_PROBE.get();
        probe.clear();
        return it.value(probe) > 0;
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
