package io.etcdj.server.watch;

/**
 * Bounds on everything the watch service holds in memory. {@link #DEFAULTS} are the production values; tests pass
 * smaller ones to reach the edges quickly.
 *
 * @param maxWatchersPerStream   watchers one gRPC stream may hold; more are refused at create
 * @param maxWatchers            watchers on the whole member (a few hundred bytes each)
 * @param streamQueueResponses   responses queued for one stream before its watchers fall back to catch-up
 * @param streamQueueBytes       event bytes queued for one stream (counted per response, shared or not)
 * @param watcherQueueResponses  live responses one watcher may have queued, so one busy watcher cannot take a
 *                               whole stream's buffer from the others
 * @param totalQueueBytes        event bytes queued over all streams together
 * @param controlBacklog         control responses (created, canceled, progress) queued for a stream before the
 *                               stream stops reading the client's requests
 * @param recentRevisions        recent revisions kept in memory, so watchers a little behind catch up without
 *                               reading the store
 * @param recentBytes            event bytes of those recent revisions
 * @param catchUpRevisions       revisions one catch-up pass reads from the store
 * @param catchUpBytes           event bytes one catch-up pass reads (it stops at the first revision past it)
 * @param catchUpWatchers        watchers served by one catch-up pass
 * @param catchUpResponseBytes   event bytes in one catch-up response (split at revision boundaries), and in one
 *                               live response that a slow watcher's queued revisions were joined into
 * @param sendsPerDrain          responses one stream sends before it yields its sender thread to other streams
 */
public record WatchLimits(
        int maxWatchersPerStream,
        int maxWatchers,
        int streamQueueResponses,
        long streamQueueBytes,
        int watcherQueueResponses,
        long totalQueueBytes,
        int controlBacklog,
        int recentRevisions,
        long recentBytes,
        int catchUpRevisions,
        long catchUpBytes,
        int catchUpWatchers,
        long catchUpResponseBytes,
        int sendsPerDrain) {

    /**
     * Production limits. Memory at the worst: {@code totalQueueBytes} of queued events (counted as if unshared, so
     * the real figure is lower) + {@code recentBytes} + one catch-up batch + a few hundred bytes per watcher.
     */
    public static final WatchLimits DEFAULTS = new WatchLimits(
            100_000, // per stream: clientv3 puts every watcher of one context on one stream
            500_000, // per member: ~600 bytes of heap each (measured), ~300 MB at the worst
            8_192, // per stream: 40 s of one busy watcher at 200 events/s before it falls back
            16L << 20, // per stream: 16 MiB
            1_024, // per watcher
            256L << 20, // all streams: 256 MiB
            1_024, // control responses per stream
            4_096, // recent revisions in memory
            16L << 20, // their bytes: 16 MiB
            1_000, // revisions per catch-up read (etcd's watcherBatchMaxRevs)
            4L << 20, // bytes per catch-up read
            512, // watchers per catch-up pass (etcd's maxWatchersPerSync)
            1L << 20, // bytes per catch-up response: well under any client's 4 MiB default receive limit
            64); // sends per drain turn

    public WatchLimits {
        if (maxWatchersPerStream < 1
                || maxWatchers < 1
                || streamQueueResponses < 2
                || streamQueueBytes < 1
                || watcherQueueResponses < 1
                || totalQueueBytes < 1
                || controlBacklog < 1
                || recentRevisions < 1
                || recentBytes < 1
                || catchUpRevisions < 1
                || catchUpBytes < 1
                || catchUpWatchers < 1
                || catchUpResponseBytes < 1
                || sendsPerDrain < 1) {
            throw new IllegalArgumentException("watch limits must be positive: " + this);
        }
    }
}
