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

    /** Sees one key's state at two revisions: its key-value at each (null: absent or deleted then). */
    @FunctionalInterface
    public interface KeyStates {
        boolean visit(byte[] key, KeyValue before, KeyValue after);
    }

    private static final byte[] EMPTY = new byte[0];
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
            found[0] = kv != null ? kv : KeyValue.newBuilder().setKey(ByteString.copyFrom(key))
                    .build();
            return false;
        });
        return found[0];
    }

    /**
     * What {@link #firstLive} found: the first live key (without its value), or null; when the search gave up,
     * {@code resumeFrom}, the key to go on from (else null); and how many keys it stepped over.
     */
    public record Probe(byte[] liveKey, byte[] resumeFrom, long skippedKeys) {
    }

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
        IndexScan.forEachLive(it, new KeyRange(from, end == null ? EMPTY : end), revision, () -> false,
                (positioned, value) -> {
                    found[0] = KeyCodec.userKeyOf(positioned.key());
                    return false;
                }, enc -> {
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
        IndexScan.forEachLive(it, new KeyRange(from, end == null ? EMPTY : end), revision, () -> withValues,
                (positioned, value) -> {
                    if (value != null) {
                        KeyValue kv = IndexScan.decode(value);
                        return visitor.visit(kv.getKey().toByteArray(), kv);
                    }
                    return visitor.visit(KeyCodec.userKeyOf(positioned.key()), null);
                });
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
