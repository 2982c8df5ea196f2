package io.etcdj.server.watch;

import io.etcdj.server.mvcc.RevisionEvents;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent revisions' events, in memory: a ring of consecutive revisions bounded by count and bytes, so
 * watchers a little behind catch up without reading the store.
 *
 * <p>Not thread-safe: used under the hub lock.
 */
final class RecentEvents {
    private final RevisionEvents[] ring;
    private final long maxBytes;
    /** Index in {@code ring} of the oldest revision held. */
    private int head;

    private int count;
    private long bytes;

    RecentEvents(int maxRevisions, long maxBytes) {
        this.ring = new RevisionEvents[maxRevisions];
        this.maxBytes = maxBytes;
    }

    /** Adds the newest revision (one more than the last added), dropping the oldest beyond the bounds. */
    void add(RevisionEvents r) {
        if (count > 0 && r.revision() != newest().revision() + 1) {
            throw new IllegalStateException("revision " + r.revision() + " follows " + newest().revision());
        }
        if (count == ring.length) {
            dropOldest();
        }
        ring[(head + count) % ring.length] = r;
        count++;
        bytes += r.bytes();
        while (bytes > maxBytes && count > 1) {
            dropOldest();
        }
    }

    /** Forgets every revision held. */
    void clear() {
        while (count > 0) {
            dropOldest();
        }
    }

    private void dropOldest() {
        bytes -= ring[head].bytes();
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
    }

    private RevisionEvents newest() {
        return ring[(head + count - 1) % ring.length];
    }

    /** True when every revision from {@code revision} to the newest is held here. */
    boolean covers(long revision) {
        return count > 0 && revision >= ring[head].revision();
    }

    /** The held revisions from {@code revision} on, at most {@code max} of them, oldest first. */
    List<RevisionEvents> from(long revision, int max) {
        if (!covers(revision)) {
            throw new IllegalArgumentException("revision " + revision + " is no longer held");
        }
        int skip = (int) Math.max(0, revision - ring[head].revision());
        int n = Math.min(max, count - skip);
        List<RevisionEvents> out = new ArrayList<>(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
            out.add(ring[(head + skip + i) % ring.length]);
        }
        return out;
    }
}
