package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The newest live version of recently written keys, so that a put finds the version it replaces (its create
 * revision, version, lease and the previous value its event carries) without an iterator and a seek into RocksDB,
 * which cost more than half of applying a put. etcd keeps every key's revisions in memory; this holds a bounded,
 * least-recently-used part of them, and a miss reads the store as before.
 *
 * <p>Only the applier thread uses it (write transactions read and update it; nothing else writes the newest
 * versions). It is kept exact: a transaction updates it only once its batch is committed, with the final state of
 * every key it wrote, and the store empties it whenever it loads a database (start, snapshot restore).
 *
 * <p>It is <em>complete</em> while it holds every live key of the store: from a load that found no live key until it
 * first drops a live version (eviction, a version too large, a forgotten transaction). A miss then means the key
 * has no live version, so a put of a new key does not seek the store either (without it, every first write of a key
 * sought through every level of the index to learn that it was absent).
 */
final class LatestVersions {
    /** The default size: enough for ~100,000 keys of 256-byte values. */
    static final long DEFAULT_CAPACITY_BYTES = 32L << 20;
    /** A version this large is not kept: a few of them would push out everything else. */
    static final int MAX_ENTRY_BYTES = 64 << 10;
    /** What an entry costs beside its serialized size (map node, protobuf objects, the key's hash). */
    private static final int ENTRY_OVERHEAD_BYTES = 160;

    private final long capacityBytes;
    /** Key to its newest live version, least recently used first. Applier thread only. */
    private final LinkedHashMap<ByteString, KeyValue> versions = new LinkedHashMap<>(1024, 0.75f, true);
    /** The estimated bytes held. Applier thread only. */
    private long heldBytes;
    /** Whether every live key of the store is held (see the class comment). Applier thread only. */
    private boolean complete;

    LatestVersions(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** The newest live version of {@code key} if held; null means not known (the store must be read). */
    KeyValue get(ByteString key) {
        return versions.get(key);
    }

    /** Whether a miss means the key has no live version: every live key is held. */
    boolean complete() {
        return complete;
    }

    /** The store has no live key (it just loaded an empty database): from now on a miss means absent. */
    void startComplete() {
        if (versions.isEmpty()) {
            complete = true;
        }
    }

    /**
     * Takes a committed transaction's writes: the final state of each key it wrote (null: deleted), or null when it
     * wrote too many to track (everything is forgotten then).
     */
    void committed(Map<ByteString, KeyValue> finalStates) {
        if (finalStates == null) {
            clear();
            return;
        }
        finalStates.forEach((key, newest) -> {
            if (newest == null) {
                absent(key);
            } else {
                live(newest);
            }
        });
    }

    /** Records {@code kv} as the newest live version of its key. */
    void live(KeyValue kv) {
        int size = entryBytes(kv);
        if (size > MAX_ENTRY_BYTES || size > capacityBytes) {
            absent(kv.getKey());
            complete = false; // the key is live but not held
            return;
        }
        KeyValue before = versions.put(kv.getKey(), kv);
        if (before != null) {
            heldBytes -= entryBytes(before);
        }
        heldBytes += size;
        evictPastCapacity();
    }

    /** Records that {@code key} has no live version (deleted); nothing is held for it. */
    void absent(ByteString key) {
        KeyValue before = versions.remove(key);
        if (before != null) {
            heldBytes -= entryBytes(before);
        }
    }

    /** Forgets everything (the store loaded another database, or one transaction changed too many keys to track). */
    void clear() {
        versions.clear();
        heldBytes = 0;
        complete = false;
    }

    int size() {
        return versions.size();
    }

    long heldBytes() {
        return heldBytes;
    }

    private void evictPastCapacity() {
        Iterator<Map.Entry<ByteString, KeyValue>> oldest = versions.entrySet().iterator();
        while (heldBytes > capacityBytes && oldest.hasNext()) {
            heldBytes -= entryBytes(oldest.next().getValue());
            oldest.remove();
            complete = false;
        }
    }

    private static int entryBytes(KeyValue kv) {
        return kv.getSerializedSize() + ENTRY_OVERHEAD_BYTES;
    }
}
