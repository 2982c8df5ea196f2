package io.etcdj.server.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * Counters that the member's threads bump as things happen, under etcd's names: leader changes seen, failed
 * proposals, and the store's puts and deletes (each put or delete-range of a request, a txn or a lease revoke,
 * as etcd counts them). An increment is a striped add: no lock, no allocation.
 */
public final class ServerMetrics {
    private static final Counter LEADER_CHANGES = Counter.builder("etcd_server_leader_changes_seen")
            .description("The number of leader changes seen.")
            .register(Metrics.registry());
    private static final Counter PROPOSALS_FAILED = Counter.builder("etcd_server_proposals_failed")
            .description("The total number of failed proposals seen.")
            .register(Metrics.registry());
    private static final Counter PUTS = Counter.builder("etcd_mvcc_put")
            .description("Total number of puts seen by this member.")
            .register(Metrics.registry());
    private static final Counter DELETES = Counter.builder("etcd_mvcc_delete")
            .description("Total number of deletes seen by this member.")
            .register(Metrics.registry());

    private static final Counter SLOW_READ_INDEXES = Counter.builder("etcd_server_slow_read_indexes_total")
            .description("The total number of pending read indexes not in sync with leader's or timed out read index"
                    + " requests.")
            .register(Metrics.registry());
    private static final Counter READ_INDEXES_FAILED = Counter.builder("etcd_server_read_indexes_failed_total")
            .description("The total number of failed read indexes seen.")
            .register(Metrics.registry());

    private ServerMetrics() {}

    /** This member saw a new leader (not the loss of one). */
    public static void leaderChanged() {
        LEADER_CHANGES.increment();
    }

    public static void proposalFailed() {
        PROPOSALS_FAILED.increment();
    }

    /** A ReadIndex request went unanswered for its resend interval and was sent again. */
    public static void slowReadIndex() {
        SLOW_READ_INDEXES.increment();
    }

    /** A ReadIndex request failed (timed out, refused, or its leader was lost). */
    public static void readIndexFailed() {
        READ_INDEXES_FAILED.increment();
    }

    public static void put() {
        PUTS.increment();
    }

    public static void deleteRange() {
        DELETES.increment();
    }
}
