package io.etcdj.server.mvcc;

/** Range reads, by the store itself or by a write transaction that sees its own writes. */
public interface KvReader {
    /** The store revision this reader sees. */
    long currentRevision();

    /**
     * Reads {@code range} at {@code revision} (0 or less = current): the key-values {@code query} asks for, in key
     * order, and the count of every live key in the range.
     */
    RangeResult range(KeyRange range, long revision, RangeQuery query) throws MvccException;

    /** Up to {@code limit} key-values (0 = all; none when {@code countOnly}) within the default response budget. */
    default RangeResult range(KeyRange range, long revision, long limit, boolean countOnly) throws MvccException {
        return range(range, revision, RangeQuery.of(limit, countOnly));
    }
}
