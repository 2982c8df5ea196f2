package io.etcdj.server.mvcc;

/** Range reads, by the store itself or by a write transaction that sees its own writes. */
public interface KvReader {
    /**
     * Reads {@code range} at {@code revision} (0 or less = current): up to {@code limit} key-values in key order
     * (0 = all; none when {@code countOnly}) and the count of every live key in the range.
     */
    /** The store revision this reader sees. */
    long currentRevision();

    RangeResult range(KeyRange range, long revision, long limit, boolean countOnly) throws MvccException;
}
