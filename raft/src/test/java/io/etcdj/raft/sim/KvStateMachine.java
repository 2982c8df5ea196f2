package io.etcdj.raft.sim;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The simulated application: a few registers written by client requests, deduplicated by request id (a
 * duplicated forward may append a request twice), with a rolling hash over everything applied so that any
 * two members' states at one index can be compared cheaply.
 */
final class KvStateMachine {
    private final TreeMap<Integer, Long> values = new TreeMap<>();
    private final Set<Long> appliedRequests = new HashSet<>();
    private long appliedIndex;
    private long rollingHash;

    /** A write payload: request id, key, and a filler so entry sizes vary. */
    static byte[] writePayload(long requestId, int key) {
        int filler = (int) (requestId % 40);
        ByteBuffer b = ByteBuffer.allocate(12 + filler);
        b.putLong(requestId).putInt(key);
        return b.array();
    }

    static long requestId(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong();
    }

    static int key(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt(8);
    }

    long appliedIndex() {
        return appliedIndex;
    }

    long rollingHash() {
        return rollingHash;
    }

    long value(int key) {
        return values.getOrDefault(key, 0L);
    }

    boolean hasApplied(long requestId) {
        return appliedRequests.contains(requestId);
    }

    Set<Long> appliedRequests() {
        return appliedRequests;
    }

    /** Applies the next committed entry; returns the request id it completed, or 0. */
    long apply(Entry e) {
        if (e.index() != appliedIndex + 1) {
            throw new AssertionError("state machine applied " + e.index() + " after " + appliedIndex);
        }
        appliedIndex = e.index();
        rollingHash = mix(rollingHash, e);
        if (e.type() == EntryType.NORMAL && e.data().length >= 12) {
            long rid = requestId(e.data());
            if (appliedRequests.add(rid)) {
                values.put(key(e.data()), rid);
            }
            return rid;
        }
        return 0;
    }

    static long entryHash(Entry e) {
        long h = e.term() * 0x9E3779B97F4A7C15L
                ^ e.index() * 0xC2B2AE3D27D4EB4FL
                ^ e.type().ordinal();
        for (byte b : e.data()) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h;
    }

    private static long mix(long h, Entry e) {
        return Long.rotateLeft(h, 17) * 31 + entryHash(e);
    }

    byte[] snapshot() {
        ByteBuffer b = ByteBuffer.allocate(24 + values.size() * 12 + appliedRequests.size() * 8);
        b.putLong(appliedIndex).putLong(rollingHash).putInt(values.size()).putInt(appliedRequests.size());
        values.forEach((k, v) -> b.putInt(k).putLong(v));
        appliedRequests.stream().sorted().forEach(b::putLong);
        return b.array();
    }

    static KvStateMachine restore(byte[] data) {
        KvStateMachine sm = new KvStateMachine();
        if (data.length == 0) {
            return sm;
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        sm.appliedIndex = b.getLong();
        sm.rollingHash = b.getLong();
        int nv = b.getInt();
        int nr = b.getInt();
        for (int i = 0; i < nv; i++) {
            sm.values.put(b.getInt(), b.getLong());
        }
        for (int i = 0; i < nr; i++) {
            sm.appliedRequests.add(b.getLong());
        }
        return sm;
    }
}
