package io.etcdj.server.transport;

/**
 * The largest snapshot a member takes from its leader. A snapshot is a checkpoint of the leader's store, and the space
 * quota (--quota-backend-bytes) holds that store's on-disk size (SST files plus memtables, which a checkpoint flushes)
 * to the quota, give or take the writes between two size readings. Twice the quota plus 1 GiB leaves room for that,
 * for a leader whose quota is set higher than this member's (a rolling change of the flag), and for SST files not
 * yet compacted away, while still refusing a stream no store in this cluster could have produced. With the quota off,
 * only the free disk space bounds it (checked for every snapshot, whatever the quota).
 */
final class SnapshotLimit {
    static final String EXPLANATION = "twice --quota-backend-bytes plus 1 GiB; raise the quota on every member if"
            + " the store really is that large";
    private static final long SLACK_BYTES = 1L << 30;

    private SnapshotLimit() {}

    /** The limit for a member whose quota is {@code quotaBackendBytes} ({@link Long#MAX_VALUE}: no quota). */
    static long forQuota(long quotaBackendBytes) {
        if (quotaBackendBytes <= 0 || quotaBackendBytes >= (Long.MAX_VALUE - SLACK_BYTES) / 2) {
            return Long.MAX_VALUE;
        }
        return 2 * quotaBackendBytes + SLACK_BYTES;
    }
}
