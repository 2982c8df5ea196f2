package io.etcdj.server.console;

import io.etcdj.server.mvcc.KeyCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The immediate children of a prefix in a keyspace seen as a tree of delimiter-separated paths: the distinct next
 * path segments (each a "directory": every key under it shares it) and the keys that end there.
 *
 * <p>Work is bounded by the children returned, not by the keys under them: after finding a directory the walk seeks
 * past its whole sub-tree (one seek), so a prefix holding a million keys in ten directories costs about ten seeks.
 * Keys not live at the read revision (deleted, until compaction removes them) cannot be sought past: the store keeps
 * a key's versions, tombstone included, in key order, and nothing in it says that a run of keys is all deleted (that
 * would need a second index, written with every put and delete). They are stepped over one by one (about a
 * microsecond each), at most {@code maxSkipped} a page: past that the page ends early with a continue key, so a
 * million deleted keys cost a few short requests, never one long one.
 */
final class ChildrenListing {
    /** One child: a directory (the prefix up to and including the delimiter) or a key. */
    record Child(byte[] key, boolean dir) {}

    /**
     * A page of children in key order; {@code continueKey} is where the next page starts (null: no more);
     * {@code skippedKeys} the keys not live at the revision that the page stepped over.
     */
    record Page(List<Child> children, byte[] continueKey, long revision, long skippedKeys) {}

    private ChildrenListing() {}

    /**
     * Lists the children of {@code prefix} at the cursor's revision, starting at {@code from} (a previous page's
     * continue key, or null for the first page), at most {@code limit} of them, stepping over at most {@code
     * maxSkipped} keys that are not live.
     */
    static Page list(KeyCursor cursor, byte[] prefix, byte delimiter, byte[] from, int limit, long maxSkipped) {
        if (limit <= 0 || maxSkipped <= 0) {
            throw new IllegalArgumentException("limit and maxSkipped must be positive");
        }
        byte[] end = KeyPaths.prefixEnd(prefix);
        byte[] next = from == null || Arrays.compareUnsigned(from, prefix) < 0 ? prefix : from;
        List<Child> children = new ArrayList<>();
        long skipped = 0;
        while (children.size() < limit) {
            if (skipped >= maxSkipped) {
                return new Page(children, next, cursor.revision(), skipped); // the budget is spent
            }
            KeyCursor.Probe probe = cursor.firstLive(next, end, maxSkipped - skipped);
            skipped += probe.skippedKeys();
            if (probe.resumeFrom() != null) {
                return new Page(children, probe.resumeFrom(), cursor.revision(), skipped); // the budget is spent
            }
            if (probe.liveKey() == null) {
                return new Page(children, null, cursor.revision(), skipped);
            }
            byte[] key = probe.liveKey();
            int at = KeyPaths.indexOf(key, delimiter, prefix.length);
            if (at >= 0) {
                byte[] dir = Arrays.copyOf(key, at + 1);
                children.add(new Child(dir, true));
                next = KeyPaths.prefixEnd(dir);
                if (next.length == 0) {
                    return new Page(children, null, cursor.revision(), skipped); // nothing sorts after this sub-tree
                }
            } else {
                children.add(new Child(key, false));
                next = KeyPaths.successor(key);
            }
        }
        if (skipped >= maxSkipped) {
            return new Page(children, next, cursor.revision(), skipped); // more, perhaps: the next page looks
        }
        KeyCursor.Probe more = cursor.firstLive(next, end, maxSkipped - skipped);
        skipped += more.skippedKeys();
        return new Page(
                children,
                more.liveKey() != null || more.resumeFrom() != null ? next : null,
                cursor.revision(),
                skipped);
    }
}
