package io.etcdj.server.console;

import io.etcdj.api.mvccpb.KeyValue;
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
 * Keys deleted at the read revision are stepped over one by one by the store's scan (they are gone after
 * compaction).
 */
final class ChildrenListing {
    /** One child: a directory (the prefix up to and including the delimiter) or a key. */
    record Child(byte[] key, boolean dir) {
    }

    /**
     * A page of children in key order; {@code continueKey} is where the next page starts (null: no more).
     */
    record Page(List<Child> children, byte[] continueKey, long revision) {
    }

    private ChildrenListing() {
    }

    /**
     * Lists the children of {@code prefix} at the cursor's revision, starting at {@code from} (a previous page's
     * continue key, or null for the first page), at most {@code limit} of them.
     */
    static Page list(KeyCursor cursor, byte[] prefix, byte delimiter, byte[] from, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive");
        }
        byte[] end = KeyPaths.prefixEnd(prefix);
        byte[] next = from == null || Arrays.compareUnsigned(from, prefix) < 0 ? prefix : from;
        List<Child> children = new ArrayList<>();
        while (children.size() < limit) {
            KeyValue kv = cursor.first(next, end, false);
            if (kv == null) {
                return new Page(children, null, cursor.revision());
            }
            byte[] key = kv.getKey().toByteArray();
            int at = KeyPaths.indexOf(key, delimiter, prefix.length);
            if (at >= 0) {
                byte[] dir = Arrays.copyOf(key, at + 1);
                children.add(new Child(dir, true));
                next = KeyPaths.prefixEnd(dir);
                if (next.length == 0) {
                    return new Page(children, null, cursor.revision()); // nothing sorts after this sub-tree
                }
            } else {
                children.add(new Child(key, false));
                next = KeyPaths.successor(key);
            }
        }
        boolean more = cursor.first(next, end, false) != null;
        return new Page(children, more ? next : null, cursor.revision());
    }
}
