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
    private IndexScan() {}

    /** Sees each key live in a range, in key order; false stops the scan. */
    @FunctionalInterface
    interface LiveVisitor {
        /**
         * @param positioned the iterator, on the key's version read
         * @param value      that version's bytes when the scan was asked for them at this key, else null
         */
        boolean visit(RocksIterator positioned, byte[] value);
    }

    /**
     * Sees each key stepped over in a scan: deleted at the revision read, or with no version that old. Gets the
     * encoded user key (a copy); false stops the scan.
     */
    @FunctionalInterface
    interface SkipVisitor {
        boolean skipped(byte[] encodedKey);
    }

    /** Whether the visitor wants the next live key's value (asked once per key, before it is read). */
    @FunctionalInterface
    interface ValueWanted {
        boolean now();
    }

    /** Older versions of a key stepped over one by one before a seek past them all is cheaper. */
    private static final int NEXT_BEFORE_SEEK = 3;

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
        ValueWanted collecting = () -> !query.countOnly() && (query.limit() <= 0 || kvs.size() < query.limit());
        forEachLive(it, range, atRev, collecting, (positioned, value) -> {
            count[0]++;
            if (value == null) {
                return true;
            }
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

    /**
     * Visits each key live in {@code range} at {@code atRev}, in key order, until the visitor says stop. Costs a seek
     * at the start, about two native calls per key, and a seek per key only where a key has versions newer than the
     * read or many older ones; keys whose values are not wanted are never copied out of RocksDB.
     */
    static void forEachLive(RocksIterator it, KeyRange range, long atRev, ValueWanted wanted, LiveVisitor visitor) {
        forEachLive(it, range, atRev, wanted, visitor, null);
    }

    /** {@link #forEachLive}, telling {@code skips} (when not null) of each key stepped over as not live. */
    static void forEachLive(
            RocksIterator it, KeyRange range, long atRev, ValueWanted wanted, LiveVisitor visitor, SkipVisitor skips) {
        if (range.isSingleKey()) {
            byte[] enc = KeyCodec.encodeUserKey(range.start());
            it.seek(KeyCodec.seekAtOrBelow(enc, atRev));
            if (it.isValid() && KeyCodec.sameUserKey(it.key(), enc)) {
                visitLive(it, wanted, visitor);
            }
            return;
        }
        // the encoding keeps key order, so the end is compared encoded, without decoding each key
        byte[] encEnd = range.end().length == 0 ? null : KeyCodec.encodeUserKey(range.end());
        it.seek(KeyCodec.seekAtOrBelow(KeyCodec.encodeUserKey(range.start()), atRev));
        byte[] indexKey = it.isValid() ? it.key() : null;
        while (indexKey != null) {
            int encLength = KeyCodec.encodedUserKeyLength(indexKey);
            if (encEnd != null && Arrays.compareUnsigned(indexKey, 0, encLength, encEnd, 0, encEnd.length) >= 0) {
                return;
            }
            if (KeyCodec.revisionOfIndexKey(indexKey).main() > atRev) {
                byte[] enc = Arrays.copyOf(indexKey, encLength);
                it.seek(KeyCodec.seekAtOrBelow(enc, atRev)); // newer than the read: step back in time
                if (!it.isValid()) {
                    return;
                }
                byte[] found = it.key();
                if (!KeyCodec.sameUserKey(found, enc)) {
                    if (skips != null && !skips.skipped(enc)) {
                        return;
                    }
                    indexKey = found; // no version that old: the iterator already stands on the next key
                    continue;
                }
            }
            Boolean go = visitLive(it, wanted, visitor);
            if (go != null && !go) {
                return;
            }
            if (go == null && skips != null && !skips.skipped(Arrays.copyOf(indexKey, encLength))) {
                return;
            }
            indexKey = nextUserKey(it, indexKey, encLength);
        }
    }

    /** Visits the version under the iterator if it is live; null when it was a deletion, else the visitor's answer. */
    private static Boolean visitLive(RocksIterator it, ValueWanted wanted, LiveVisitor visitor) {
        if (wanted.now()) {
            byte[] value = it.value();
            return value.length == 0 ? null : visitor.visit(it, value);
        }
        return isLive(it) ? visitor.visit(it, null) : null;
    }

    /** Moves past every version of the key whose encoding is {@code indexKey}'s first bytes; its next index key. */
    private static byte[] nextUserKey(RocksIterator it, byte[] indexKey, int encLength) {
        for (int step = 0; step <= NEXT_BEFORE_SEEK; step++) {
            it.next();
            if (!it.isValid()) {
                return null;
            }
            byte[] k = it.key();
            if (k.length != indexKey.length || !Arrays.equals(k, 0, encLength, indexKey, 0, encLength)) {
                return k;
            }
        }
        it.seek(KeyCodec.seekPastAllVersions(Arrays.copyOf(indexKey, encLength)));
        return it.isValid() ? it.key() : null;
    }

    /** Holds no value bytes: RocksDB only reports a value's length into it. */
    private static final ThreadLocal<ByteBuffer> LENGTH_PROBE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1));

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
