package io.etcdj.server.console;

import io.etcdj.server.mvcc.KeyCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Server-side search over the keys (and optionally the values) of a range, one bounded page at a time: a page ends
 * when it holds {@code limit} hits, or when the request has examined {@code maxKeys} keys, read
 * {@code maxValueBytes} of values or run for {@code maxNanos} (the clock is read every 256 keys, first after one:
 * every page examines at least one key, so paging always gets on); its continue key says where the next request
 * picks up. A caller that wants every hit keeps asking with the continue key (and may stop at any time: nothing is held
 * between requests).
 *
 * <p>A search over keys alone walks the stored keys and matches each before anything else is read about it: only a
 * matching key has its liveness at the revision read, and no value is ever read. {@code scannedKeys} then counts
 * the stored keys examined (deleted ones not yet compacted included). A search over values reads each live key's
 * value.
 */
final class KeySearch {
    /** How much one request may do. */
    record Limits(int limit, long maxKeys, long maxValueBytes, long maxNanos) {}

    /** A key that matched; {@code modRevision} and {@code valueSizeBytes} are -1 when values were not read. */
    record Hit(byte[] key, boolean inValue, long modRevision, long valueSizeBytes) {}

    /** One page: hits in key order, the keys examined, and where to go on (null: the range is done). */
    record Page(List<Hit> hits, long scannedKeys, byte[] continueKey, long revision) {}

    private KeySearch() {}

    /** Searches [from, end) (an empty end: to the last key) at the cursor's revision. */
    static Page search(
            KeyCursor cursor,
            byte[] from,
            byte[] end,
            TextMatcher matcher,
            boolean values,
            Limits limits,
            LongSupplier nanoClock) {
        return values
                ? searchValues(cursor, from, end, matcher, limits, nanoClock)
                : searchKeys(cursor, from, end, matcher, limits, nanoClock);
    }

    private static Page searchKeys(
            KeyCursor cursor, byte[] from, byte[] end, TextMatcher matcher, Limits limits, LongSupplier nanoClock) {
        KeyHits scan = new KeyHits(matcher, limits, nanoClock);
        cursor.scanKeys(from, end, scan);
        return new Page(scan.hits, scan.scanned, scan.continueKey, cursor.revision());
    }

    /** The state of one key-only page: matches each key as the scan shows it, and ends the page at a limit. */
    private static final class KeyHits implements KeyCursor.StoredKeys {
        private final TextMatcher matcher;
        private final Limits limits;
        private final LongSupplier nanoClock;
        private final long startNanos;
        final List<Hit> hits = new ArrayList<>();
        long scanned;
        byte[] continueKey;

        KeyHits(TextMatcher matcher, Limits limits, LongSupplier nanoClock) {
            this.matcher = matcher;
            this.limits = limits;
            this.nanoClock = nanoClock;
            this.startNanos = nanoClock.getAsLong();
        }

        @Override
        public KeyCursor.Step seen(byte[] key, int length) {
            if (hits.size() >= limits.limit()
                    || scanned >= limits.maxKeys()
                    || (scanned & 0xFF) == 1 && nanoClock.getAsLong() - startNanos >= limits.maxNanos()) {
                continueKey = Arrays.copyOf(key, length); // not examined yet: the next page starts with it
                return KeyCursor.Step.STOP;
            }
            scanned++;
            return matcher.matches(key, length) ? KeyCursor.Step.LOOK : KeyCursor.Step.SKIP;
        }

        @Override
        public boolean live(byte[] key, int length) {
            hits.add(new Hit(Arrays.copyOf(key, length), false, -1, -1));
            return true;
        }
    }

    private static Page searchValues(
            KeyCursor cursor, byte[] from, byte[] end, TextMatcher matcher, Limits limits, LongSupplier nanoClock) {
        List<Hit> hits = new ArrayList<>();
        long startNanos = nanoClock.getAsLong();
        long[] scanned = {0};
        long[] valueBytes = {0};
        byte[][] continueKey = {null};
        cursor.forEachLive(from, end, true, (key, kv) -> {
            if (hits.size() >= limits.limit()
                    || scanned[0] >= limits.maxKeys()
                    || valueBytes[0] >= limits.maxValueBytes()
                    || (scanned[0] & 0xFF) == 1 && nanoClock.getAsLong() - startNanos >= limits.maxNanos()) {
                continueKey[0] = key; // this key is not examined yet: the next page starts with it
                return false;
            }
            scanned[0]++;
            boolean inKey = matcher.matches(key);
            boolean inValue = false;
            if (!inKey) {
                valueBytes[0] += kv.getValue().size();
                inValue = matcher.matches(kv.getValue().toByteArray());
            }
            if (inKey || inValue) {
                hits.add(
                        new Hit(key, inValue, kv.getModRevision(), kv.getValue().size()));
            }
            return true;
        });
        return new Page(hits, scanned[0], continueKey[0], cursor.revision());
    }
}
