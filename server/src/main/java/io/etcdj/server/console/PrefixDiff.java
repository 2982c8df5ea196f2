package io.etcdj.server.console;

import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.mvcc.KeyCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The keys of a range that differ between two revisions (created, deleted or modified in between), one bounded page
 * at a time: a page ends at {@code limit} changes, {@code maxKeys} keys examined or {@code maxNanos}, and its
 * continue key says where the next request picks up.
 */
final class PrefixDiff {
    /** What happened to a key between the two revisions. */
    enum Kind {
        CREATED,
        DELETED,
        MODIFIED
    }

    /** One changed key; the mod revisions are 0 where the key was absent. */
    record Change(byte[] key, Kind kind, long beforeModRevision, long afterModRevision) {}

    /** A page of changes in key order; {@code continueKey} null when the range is done. */
    record Page(List<Change> changes, long scannedKeys, byte[] continueKey) {}

    private PrefixDiff() {}

    static Page diff(
            KeyCursor cursor,
            byte[] from,
            byte[] end,
            long before,
            long after,
            int limit,
            long maxKeys,
            long maxNanos,
            LongSupplier nanoClock) {
        List<Change> changes = new ArrayList<>();
        long startNanos = nanoClock.getAsLong();
        long[] scanned = {0};
        byte[][] continueKey = {null};
        cursor.forEachKeyState(from, end, before, after, (key, a, b) -> {
            if (changes.size() >= limit
                    || scanned[0] >= maxKeys
                    || (scanned[0] & 0xFF) == 0 && nanoClock.getAsLong() - startNanos >= maxNanos) {
                continueKey[0] = key;
                return false;
            }
            scanned[0]++;
            Change c = change(key, a, b);
            if (c != null) {
                changes.add(c);
            }
            return true;
        });
        return new Page(changes, scanned[0], continueKey[0]);
    }

    private static Change change(byte[] key, KeyValue a, KeyValue b) {
        if (a == null && b == null || a != null && b != null && a.getModRevision() == b.getModRevision()) {
            return null;
        }
        Kind kind = a == null ? Kind.CREATED : b == null ? Kind.DELETED : Kind.MODIFIED;
        return new Change(key, kind, a == null ? 0 : a.getModRevision(), b == null ? 0 : b.getModRevision());
    }
}
