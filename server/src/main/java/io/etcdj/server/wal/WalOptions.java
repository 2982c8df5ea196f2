package io.etcdj.server.wal;

/**
 * Tuning of a {@link WriteAheadLog}.
 *
 * @param segmentSizeBytes size at which the log starts a new segment file; one append group
 *     (one {@link WriteAheadLog#append} call) never spans two segments, so a group larger than this
 *     makes one oversized segment. Default 64 MiB.
 * @param preallocate when true, each new segment is filled with zeros up to {@code segmentSizeBytes}
 *     before use, so that later data syncs (fdatasync) need not update block allocation or file size
 *     metadata. Default true.
 * @param cacheSizeBytes budget for the in-memory cache of recent entries (sum of their data sizes);
 *     older entries are read back from the segment files. Default 16 MiB.
 */
public record WalOptions(long segmentSizeBytes, boolean preallocate, long cacheSizeBytes) {

    /** Smallest accepted segment size; leaves room for the file header and the segment-start record. */
    public static final long MIN_SEGMENT_SIZE_BYTES = 1024;

    /** Largest accepted segment size (entry positions keep 40 bits for the offset). */
    public static final long MAX_SEGMENT_SIZE_BYTES = 1L << 38;

    public static final long DEFAULT_SEGMENT_SIZE_BYTES = 64L << 20;
    public static final long DEFAULT_CACHE_SIZE_BYTES = 16L << 20;

    public WalOptions {
        if (segmentSizeBytes < MIN_SEGMENT_SIZE_BYTES || segmentSizeBytes > MAX_SEGMENT_SIZE_BYTES) {
            throw new IllegalArgumentException("segmentSizeBytes must be within [" + MIN_SEGMENT_SIZE_BYTES + ", "
                    + MAX_SEGMENT_SIZE_BYTES + "], was " + segmentSizeBytes);
        }
        if (cacheSizeBytes < 0) {
            throw new IllegalArgumentException("cacheSizeBytes must be >= 0, was " + cacheSizeBytes);
        }
    }

    /** Options with the default cache size. */
    public WalOptions(long segmentSizeBytes, boolean preallocate) {
        this(segmentSizeBytes, preallocate, DEFAULT_CACHE_SIZE_BYTES);
    }

    /** 64 MiB preallocated segments, 16 MiB entry cache. */
    public static WalOptions defaults() {
        return new WalOptions(DEFAULT_SEGMENT_SIZE_BYTES, true, DEFAULT_CACHE_SIZE_BYTES);
    }
}
