package io.etcdj.server.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft messages from peers that this member refuses to act on (malformed bytes, a snapshot on the message stream, an
 * append no leader could have sent): each is dropped, the first of each kind from each sender is logged, the rest are
 * only counted, so that a peer that keeps sending the same bad message cannot flood the log. Thread-safe.
 */
final class PeerRefusals {
    private static final Logger LOG = LoggerFactory.getLogger(PeerRefusals.class);
    /** How many (sender, kind) pairs are remembered; beyond it, refusals are counted and not logged. */
    static final int MAX_TRACKED = 256;

    /** "sender/kind" -> refusals so far; bounded by {@link #MAX_TRACKED}. */
    private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();

    private final AtomicLong total = new AtomicLong();

    /**
     * Records one refused message from {@code fromRaftId}; logs it if it is the first of its kind from there.
     *
     * @return whether it was logged
     */
    boolean refuse(long fromRaftId, String kind, String detail) {
        total.incrementAndGet();
        String key = Long.toHexString(fromRaftId) + "/" + kind;
        AtomicLong n = seen.get(key);
        if (n == null && seen.size() < MAX_TRACKED) {
            n = seen.computeIfAbsent(key, k -> new AtomicLong());
        }
        boolean first = n != null && n.getAndIncrement() == 0;
        if (first) {
            LOG.warn(
                    "refused a raft message from peer {} ({}): {}; it was dropped and this member carries on. If it"
                            + " repeats, check that peer's version and data dir (further ones of this kind are counted, not"
                            + " logged)",
                    Long.toHexString(fromRaftId),
                    kind,
                    detail);
        }
        return first;
    }

    /** How many messages were refused since start. */
    long total() {
        return total.get();
    }
}
