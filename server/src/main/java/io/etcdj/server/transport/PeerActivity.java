package io.etcdj.server.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * When each peer was last heard from (a batch of raft messages arrived from it): etcd's notion of an "active" peer,
 * used by --strict-reconfig-check to count started members. Thread-safe.
 */
final class PeerActivity {
    private final long activeWindowNanos;
    /** Raft ID -> System.nanoTime() of the last batch received. */
    private final Map<Long, Long> lastHeardNanos = new ConcurrentHashMap<>();

    PeerActivity(long activeWindowMs) {
        this.activeWindowNanos = TimeUnit.MILLISECONDS.toNanos(activeWindowMs);
    }

    void heard(long raftId) {
        lastHeardNanos.put(raftId, System.nanoTime());
    }

    boolean isActive(long raftId) {
        Long at = lastHeardNanos.get(raftId);
        return at != null && System.nanoTime() - at <= activeWindowNanos;
    }
}
