package io.etcdj.server.watch;

import com.google.protobuf.ByteString;
import java.util.Comparator;

/**
 * The keys a watcher watches, in etcd's forms after its normalization: an empty key means "\0" (the smallest
 * key); {@code end == null} is the single key {@code key}; an empty {@code end} (the request's "\0") is every key
 * at or after {@code key}; otherwise the half-open interval [key, end).
 */
public record WatchRange(ByteString key, ByteString end) {
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});
    private static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

    /** The range a WatchCreateRequest names by its key and range_end, normalized as etcd does. */
    public static WatchRange of(ByteString key, ByteString rangeEnd) {
        ByteString k = key.isEmpty() ? ZERO : key;
        if (rangeEnd.isEmpty()) {
            return new WatchRange(k, null);
        }
        return new WatchRange(k, rangeEnd.equals(ZERO) ? ByteString.EMPTY : rangeEnd);
    }

    public boolean isSingleKey() {
        return end == null;
    }

    /** True when the range holds no key at all (range_end at or below key): etcd refuses such a watch. */
    public boolean isEmpty() {
        return end != null && !end.isEmpty() && ORDER.compare(key, end) >= 0;
    }

    public boolean contains(ByteString k) {
        if (end == null) {
            return key.equals(k);
        }
        return ORDER.compare(k, key) >= 0 && (end.isEmpty() || ORDER.compare(k, end) < 0);
    }

    /** True when some key in [{@code low}, {@code high}] (both inclusive) may lie in this range. */
    public boolean overlaps(ByteString low, ByteString high) {
        if (end == null) {
            return ORDER.compare(key, low) >= 0 && ORDER.compare(key, high) <= 0;
        }
        return ORDER.compare(high, key) >= 0 && (end.isEmpty() || ORDER.compare(low, end) < 0);
    }
}
