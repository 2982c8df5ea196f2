package io.etcdj.server.mvcc;

/**
 * How much of one write transaction (one raft entry) is held in memory, so that an entry touching any number of keys
 * (a delete of the whole keyspace, the revoke of a lease with a million keys) is applied in bounded memory.
 *
 * @param spillBytes          staged versions beyond this go to RocksDB ahead of the commit, above the visible
 *                            revision (readers never see them; a restart rolls back an unfinished revision)
 * @param eventsInMemoryBytes a revision's events beyond this are not kept for the watch hub, which reads them back
 *                            from the store instead
 */
public record WriteLimits(long spillBytes, long eventsInMemoryBytes) {
    public static final WriteLimits DEFAULT = new WriteLimits(8L << 20, 16L << 20);

    public WriteLimits {
        if (spillBytes < 1 || eventsInMemoryBytes < 0) {
            throw new IllegalArgumentException(
                    "write limits must be positive: " + spillBytes + ", " + eventsInMemoryBytes);
        }
    }
}
