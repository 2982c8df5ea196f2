package io.etcdj.server.mvcc;

import java.util.Arrays;

/**
 * The keys a request names, in etcd's forms: {@code end == null} is the single key {@code start}; an empty
 * {@code end} is every key at or after {@code start}; otherwise the half-open interval [start, end).
 */
public record KeyRange(byte[] start, byte[] end) {
    private static final byte[] ZERO = {0};

    /** Builds a range from a request's key and range_end, where range_end "\0" means "to the end". */
    public static KeyRange of(byte[] key, byte[] rangeEnd) {
        if (rangeEnd == null || rangeEnd.length == 0) {
            return new KeyRange(key, null);
        }
        if (Arrays.equals(rangeEnd, ZERO)) {
            return new KeyRange(key, new byte[0]);
        }
        return new KeyRange(key, rangeEnd);
    }

    public boolean isSingleKey() {
        return end == null;
    }

    /** True when {@code key} lies past the range (key order), given it is at or after start. */
    public boolean isPastEnd(byte[] key) {
        if (end == null) {
            return !Arrays.equals(key, start);
        }
        return end.length != 0 && Arrays.compareUnsigned(key, end) >= 0;
    }

    /** True when the range holds {@code key}. */
    public boolean contains(byte[] key) {
        return Arrays.compareUnsigned(key, start) >= 0 && !isPastEnd(key);
    }
}
