package io.etcdj.server.wal;

/**
 * The most recently appended entries, a contiguous run ending at the log's last index, bounded by
 * a byte budget (data bytes plus a fixed per-entry overhead, so the entry count is bounded too).
 * Raft reads recent entries far more often than old ones (replication to healthy followers,
 * applying just-committed entries), so those reads skip the disk. Confined to the log's single
 * caller thread.
 */
final class EntryCache {
    /** Accounted per entry on top of its data, for the object and slot. */
    static final long ENTRY_OVERHEAD_BYTES = 64;

    private final long budgetBytes;
    private LogEntry[] ring = new LogEntry[64];
    /** Slot of the first cached entry. */
    private int head;

    private int count;
    private long bytes;

    EntryCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** Cached entry at index, or null. */
    LogEntry get(long index) {
        if (count == 0) {
            return null;
        }
        long first = ring[head].index();
        if (index < first || index >= first + count) {
            return null;
        }
        return ring[(head + (int) (index - first)) % ring.length];
    }

    /** Adds a just-appended entry, dropping cached entries at or above its index first. */
    void put(LogEntry e) {
        long cost = cost(e);
        if (cost > budgetBytes) {
            clear();
            return;
        }
        if (count > 0) {
            long first = ring[head].index();
            if (e.index() <= first || e.index() > first + count) {
                clear();
            } else {
                truncateFrom(e.index());
            }
        }
        if (count == ring.length) {
            grow();
        }
        ring[(head + count) % ring.length] = e;
        count++;
        bytes += cost;
        while (bytes > budgetBytes) {
            removeFirst();
        }
    }

    /** Drops entries at or below index. */
    void dropThrough(long index) {
        while (count > 0 && ring[head].index() <= index) {
            removeFirst();
        }
    }

    void clear() {
        while (count > 0) {
            removeFirst();
        }
        head = 0;
    }

    int size() {
        return count;
    }

    private void truncateFrom(long index) {
        while (count > 0) {
            int last = (head + count - 1) % ring.length;
            if (ring[last].index() < index) {
                return;
            }
            bytes -= cost(ring[last]);
            ring[last] = null;
            count--;
        }
    }

    private void removeFirst() {
        bytes -= cost(ring[head]);
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
    }

    private void grow() {
        LogEntry[] bigger = new LogEntry[ring.length * 2];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    private static long cost(LogEntry e) {
        return e.data().length + ENTRY_OVERHEAD_BYTES;
    }
}
