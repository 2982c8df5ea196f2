package io.etcdj.server.console;

import io.etcdj.server.mvcc.KeyCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Server-side search over the keys (and optionally the values) of a range, one bounded page at a time: a page ends
 * when it holds {@code limit} hits, or when the request has examined {@code maxKeys} keys, read
 * {@code maxValueBytes} of values or run for {@code maxNanos}; its continue key says where the next request picks
 * up. A caller that wants every hit keeps asking with the continue key (and may stop at any time: nothing is held
 * between requests).
 */
final class KeySearch {
    /** How much one request may do. */
    record Limits(int limit, long maxKeys, long maxValueBytes, long maxNanos) {
    }

    /** A key that matched; {@code modRevision} and {@code valueSizeBytes} are -1 when values were not read. */
    record Hit(byte[] key, boolean inValue, long modRevision, long valueSizeBytes) {
    }

    /** One page: hits in key order, the keys examined, and where to go on (null: the range is done). */
    record Page(List<Hit> hits, long scannedKeys, byte[] continueKey, long revision) {
    }

    private KeySearch() {
    }

    /** Searches [from, end) (an empty end: to the last key) at the cursor's revision. */
    static Page search(KeyCursor cursor, byte[] from, byte[] end, TextMatcher matcher, boolean values, Limits limits,
                       LongSupplier nanoClock) {
        List<Hit> hits = new ArrayList<>();
        long startNanos = nanoClock.getAsLong();
        long[] scanned = {0};
        long[] valueBytes = {0};
        byte[][] continueKey = {null};
        cursor.forEachLive(from, end, values, (key, kv) -> {
            if (hits.size() >= limits.limit() || scanned[0] >= limits.maxKeys()
                    || valueBytes[0] >= limits.maxValueBytes()
                    || (scanned[0] & 0xFF) == 0 && nanoClock.getAsLong() - startNanos >= limits.maxNanos()) {
                continueKey[0] = key; // this key is not examined yet: the next page starts with it
                return false;
            }
            scanned[0]++;
            boolean inKey = matcher.matches(key);
            boolean inValue = false;
            if (!inKey && kv != null) {
                valueBytes[0] += kv.getValue().size();
                inValue = matcher.matches(kv.getValue().toByteArray());
            }
            if (inKey || inValue) {
                hits.add(kv == null ? new Hit(key, false, -1, -1)
                        : new Hit(key, inValue, kv.getModRevision(), kv.getValue().size()));
            }
            return true;
        });
        return new Page(hits, scanned[0], continueKey[0], cursor.revision());
    }
}
