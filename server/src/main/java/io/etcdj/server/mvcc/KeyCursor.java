package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.rocksdb.RocksIterator;

/**
 * Seeks over the live keys of one store revision, for reads that jump rather than scan (a key tree's next child
 * lies past a whole sub-tree: one seek, not a walk through it). Valid only inside {@link MvccStore#read}; one
 * thread.
 */
public final class KeyCursor {
    /** Sees one live key, with its key-value when asked for values (else null); false stops the walk. */
    @FunctionalInterface
    public interface LiveKeys {
        boolean visit(byte[] key, KeyValue kvOrNull);
    }

    /** Sees one stored version of a key (any revision, deletions too); false stops the walk. */
    @FunctionalInterface
    public interface Versions {
        boolean visit(byte[] key, int valueSizeBytes);
    }

    /** What a key-only scan does with the key it stands on (see {@link StoredKeys#seen}). */
    public enum Step {
        /** Go on to the next key without reading this one's versions. */
        SKIP,
        /** Read whether the key is live at the revision (then {@link StoredKeys#live} is told). */
        LOOK,
        /** End the scan before this key. */
        STOP
    }

    /**
     * Sees the keys of a key-only scan. Each is given as bytes [0, length) of a buffer the scan reuses: valid only
     * during the call (copy what is kept).
     */
    public interface StoredKeys {
        /** A key with a stored version in the range, live at the revision or not (not yet looked at). */
        Step seen(byte[] key, int length);

        /** The key just seen and answered {@link Step#LOOK} is live at the revision; false stops the scan. */
        boolean live(byte[] key, int length);
    }

    /** Sees one key's state at two revisions: its key-value at each (null: absent or deleted then). */
    @FunctionalInterface
    public interface KeyStates {
        boolean visit(byte[] key, KeyValue before, KeyValue after);
    }

    private static final byte[] EMPTY = new byte[0];
    /** Older versions of a key stepped over one by one before a seek past them all is cheaper. */
    private static final int NEXT_BEFORE_SEEK = 3;

    private final RocksIterator it;
    private final long revision;
    /** The oldest revision still readable when this cursor's view was taken. */
    private final long compactedRevision;
    /** Holds no value bytes: RocksDB only reports a value's length into it. */
    private final ByteBuffer lengthProbe = ByteBuffer.allocateDirect(1);

    KeyCursor(RocksIterator it, long revision, long compactedRevision) {
        this.it = it;
        this.revision = revision;
        this.compactedRevision = compactedRevision;
    }

    /** The oldest revision this cursor may read (reads below it were compacted). */
    public long compactedRevision() {
        return compactedRevision;
    }

    /** The store revision this cursor reads. */
    public long revision() {
        return revision;
    }

    /**
     * The first key live at this cursor's revision in [from, end) (an empty {@code end}: to the last key), with its
     * value when {@code withValue}; null when there is none.
     */
    public KeyValue first(byte[] from, byte[] end, boolean withValue) {
        KeyValue[] found = {null};
        forEachLive(from, end, withValue, (key, kv) -> {
            found[0] = kv != null
                    ? kv
                    : KeyValue.newBuilder().setKey(ByteString.copyFrom(key)).build();
            return false;
        });
        return found[0];
    }

    /**
     * What {@link #firstLive} found: the first live key (without its value), or null; when the search gave up,
     * {@code resumeFrom}, the key to go on from (else null); and how many keys it stepped over.
     */
    public record Probe(byte[] liveKey, byte[] resumeFrom, long skippedKeys) {}

    /**
     * The first key live at this cursor's revision in [from, end), stepping over at most {@code maxSkipped} keys
     * that are not (deleted at the revision, or created after it): those cannot be sought past, as nothing in the
     * store says a run of keys is all deleted, so each costs a step until compaction removes it. Past the budget
     * the search stops and says where to resume ({@code maxSkipped} must be positive, so a resumed search gets on).
     */
    public Probe firstLive(byte[] from, byte[] end, long maxSkipped) {
        if (maxSkipped <= 0) {
            throw new IllegalArgumentException("maxSkipped must be positive");
        }
        byte[][] found = {null, null};
        long[] skipped = {0};
        IndexScan.forEachLive(
                it,
                new KeyRange(from, end == null ? EMPTY : end),
                revision,
                () -> false,
                (positioned, value) -> {
                    found[0] = KeyCodec.userKeyOf(positioned.key());
                    return false;
                },
                enc -> {
                    if (skipped[0] >= maxSkipped) {
                        found[1] = KeyCodec.userKeyOf(KeyCodec.seekPastAllVersions(enc)); // where to resume
                        return false;
                    }
                    skipped[0]++;
                    return true;
                });
        return new Probe(found[0], found[1], skipped[0]);
    }

    /** Visits each key live at this cursor's revision in [from, end), in key order, until the visitor says stop. */
    public void forEachLive(byte[] from, byte[] end, boolean withValues, LiveKeys visitor) {
        IndexScan.forEachLive(
                it, new KeyRange(from, end == null ? EMPTY : end), revision, () -> withValues, (positioned, value) -> {
                    if (value != null) {
                        KeyValue kv = IndexScan.decode(value);
                        return visitor.visit(kv.getKey().toByteArray(), kv);
                    }
                    return visitor.visit(KeyCodec.userKeyOf(positioned.key()), null);
                });
    }

    /**
     * Walks the keys with a stored version in [from, end) (an empty {@code end}: to the last key), in key order,
     * showing each to {@code visitor} before anything else is read about it: a key it skips costs about three
     * native calls (next, valid, key copied into a reused buffer) and no allocation; only a key it asks to
     * {@link Step#LOOK} at has its liveness at this cursor's revision read (one more call, or a seek when its newest
     * version is newer than the revision). Values are never read. For a search over keys, where most keys do not
     * match, this is what a scan costs; {@link #forEachLive} reads every key's liveness first.
     */
    public void scanKeys(byte[] from, byte[] end, StoredKeys visitor) {
        byte[] encEnd = end == null || end.length == 0 ? null : KeyCodec.encodeUserKey(end);
        it.seek(KeyCodec.encodeUserKey(from));
        if (!it.isValid()) {
            return;
        }
        IndexKey current = new IndexKey();
        IndexKey next = new IndexKey();
        current.read(it);
        while (true) {
            int encLength = current.length - KeyCodec.REVISION_BYTES;
            if (encEnd != null && Arrays.compareUnsigned(current.bytes, 0, encLength, encEnd, 0, encEnd.length) >= 0) {
                return;
            }
            current.decodeUserKey();
            Step step = visitor.seen(current.userKey(), current.userLength);
            if (step == Step.STOP) {
                return;
            }
            if (step == Step.LOOK) {
                if (~KeyCodec.getLong(current.bytes, encLength) > revision) {
                    // newer than the read: step back in time to the version the revision sees
                    it.seek(KeyCodec.seekAtOrBelow(Arrays.copyOf(current.bytes, encLength), revision));
                    if (!it.isValid()) {
                        return;
                    }
                    next.read(it);
                    if (!next.sameUserKey(current)) {
                        IndexKey t = current; // no version that old: the iterator already stands on the next key
                        current = next;
                        next = t;
                        continue;
                    }
                }
                if (it.value(EMPTY, 0, 0) > 0 // a deletion's value is empty; nothing is copied
                        && !visitor.live(current.userKey(), current.userLength)) {
                    return;
                }
            }
            // on to the next user key: a few steps over older versions, else one seek past them all
            int steps = 0;
            do {
                if (steps++ < NEXT_BEFORE_SEEK) {
                    it.next();
                } else {
                    it.seek(KeyCodec.seekPastAllVersions(Arrays.copyOf(current.bytes, encLength)));
                }
                if (!it.isValid()) {
                    return;
                }
                next.read(it);
            } while (next.sameUserKey(current));
            IndexKey t = current;
            current = next;
            next = t;
        }
    }

    /**
     * An index key copied out of the iterator into a buffer that is reused from key to key, and its user key: the
     * encoded key itself when it holds no zero byte (the encoding is then the key followed by a 2-byte terminator),
     * else decoded into a second buffer.
     */
    private static final class IndexKey {
        byte[] bytes = new byte[128];
        int length;
        private byte[] decoded = new byte[128];
        private boolean escaped;
        int userLength;

        void read(RocksIterator it) {
            length = it.key(bytes);
            if (length > bytes.length) { // copies nothing then: read it again into a buffer large enough
                bytes = new byte[Integer.highestOneBit(length) << 1];
                it.key(bytes);
            }
        }

        boolean sameUserKey(IndexKey other) {
            int encLength = length - KeyCodec.REVISION_BYTES;
            return length == other.length && Arrays.equals(bytes, 0, encLength, other.bytes, 0, encLength);
        }

        void decodeUserKey() {
            int end = length - KeyCodec.REVISION_BYTES - 2;
            int i = 0;
            while (i < end && bytes[i] != 0) {
                i++;
            }
            escaped = i < end;
            if (!escaped) {
                userLength = end;
                return;
            }
            if (decoded.length < end) {
                decoded = new byte[bytes.length];
            }
            userLength = KeyCodec.userKeyInto(bytes, length, decoded);
        }

        byte[] userKey() {
            return escaped ? decoded : bytes;
        }
    }

    /**
     * Visits every stored version of the keys in [from, end) (whatever their revision, deletions included), in key
     * order, newest version of a key first, up to this cursor's revision, until the visitor says stop.
     */
    public void forEachVersion(byte[] from, byte[] end, Versions visitor) {
        byte[] encEnd = end == null || end.length == 0 ? null : KeyCodec.encodeUserKey(end);
        it.seek(KeyCodec.encodeUserKey(from));
        byte[] lastEnc = null;
        byte[] lastKey = null;
        for (; it.isValid(); it.next()) {
            byte[] indexKey = it.key();
            int encLength = KeyCodec.encodedUserKeyLength(indexKey);
            if (encEnd != null && Arrays.compareUnsigned(indexKey, 0, encLength, encEnd, 0, encEnd.length) >= 0) {
                return;
            }
            if (KeyCodec.revisionOfIndexKey(indexKey).main() > revision) {
                continue; // written after this view's revision (a write spilled ahead of its commit)
            }
            if (lastEnc == null || !Arrays.equals(indexKey, 0, encLength, lastEnc, 0, lastEnc.length)) {
                lastEnc = Arrays.copyOf(indexKey, encLength);
                lastKey = KeyCodec.userKeyOf(indexKey);
            }
            lengthProbe.clear();
            if (!visitor.visit(lastKey, it.value(lengthProbe))) {
                return;
            }
        }
    }

    /**
     * Visits each key in [from, end) that has a stored version, with its live version at revision {@code before}
     * and at {@code after}, in key order, until the visitor says stop. Both revisions must lie in
     * [{@link #compactedRevision()}, {@link #revision()}]. Costs three seeks per key.
     */
    public void forEachKeyState(byte[] from, byte[] end, long before, long after, KeyStates visitor) {
        if (before < compactedRevision || after < compactedRevision || before > revision || after > revision) {
            throw new IllegalArgumentException("revisions " + before + " and " + after + " must lie in ["
                    + compactedRevision + ", " + revision + "]");
        }
        byte[] encEnd = end == null || end.length == 0 ? null : KeyCodec.encodeUserKey(end);
        it.seek(KeyCodec.encodeUserKey(from));
        while (it.isValid()) {
            byte[] indexKey = it.key();
            int encLength = KeyCodec.encodedUserKeyLength(indexKey);
            if (encEnd != null && Arrays.compareUnsigned(indexKey, 0, encLength, encEnd, 0, encEnd.length) >= 0) {
                return;
            }
            byte[] enc = Arrays.copyOf(indexKey, encLength);
            KeyValue a = versionAt(enc, before);
            KeyValue b = versionAt(enc, after);
            if (!visitor.visit(KeyCodec.userKeyOf(indexKey), a, b)) {
                return;
            }
            it.seek(KeyCodec.seekPastAllVersions(enc));
        }
    }

    /** The live version of the encoded key at a revision, or null (absent or deleted then). */
    private KeyValue versionAt(byte[] enc, long at) {
        it.seek(KeyCodec.seekAtOrBelow(enc, at));
        if (!it.isValid() || !KeyCodec.sameUserKey(it.key(), enc)) {
            return null;
        }
        return IndexScan.decode(it.value());
    }
}
