package io.etcdj.server.metrics.member;

import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.metrics.Metrics;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.RaftMember;
import io.etcdj.server.watch.WatchHub;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The member's state as gauges, read when /metrics is scraped (nothing is recorded on the request path):
 * leadership, raft progress, store size and revisions, watchers and leases. etcd's names where etcd has the metric;
 * etcdj_* for the rest.
 *
 * <p>The gauges are registered once per process and read whichever member {@link #bind} last bound (a process runs
 * one member; in-process tests run several in turn). Without a member they read NaN.
 */
public final class MemberMetrics implements AutoCloseable {
    /** The member the gauges read; set by bind, cleared by close. */
    private static final AtomicReference<MemberMetrics> CURRENT = new AtomicReference<>();

    static {
        MeterRegistry r = Metrics.registry();
        gauge(
                r,
                "etcd_server_has_leader",
                "Whether or not a leader exists. 1 is existence, 0 is not.",
                m -> m.member.hasLeader() ? 1 : 0);
        gauge(
                r,
                "etcd_server_is_leader",
                "Whether or not this member is a leader. 1 if is, 0 otherwise.",
                m -> m.status().leaderId() == m.member.id() ? 1 : 0);
        gauge(
                r,
                "etcd_server_is_learner",
                "Whether or not this member is a learner. 1 if is, 0 otherwise.",
                m -> m.status().learner() ? 1 : 0);
        // raft indexes only grow: counters, so the exposition keeps etcd's "_total" names
        counter(
                r,
                "etcd_server_proposals_committed",
                "The total number of consensus proposals committed.",
                m -> m.status().commitIndex());
        counter(
                r,
                "etcd_server_proposals_applied",
                "The total number of consensus proposals applied.",
                m -> m.status().appliedIndex());
        gauge(
                r,
                "etcd_server_proposals_pending",
                "The current number of pending proposals to commit.",
                m -> m.member.pendingProposals());
        gauge(r, "etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.", m -> m.quotaBytes);
        gauge(
                r,
                "etcd_mvcc_db_total_size_in_bytes",
                "Total size of the underlying database physically allocated in bytes.",
                m -> m.store.backend().sizeBytes());
        gauge(
                r,
                "etcd_mvcc_db_total_size_in_use_in_bytes",
                "Total size of the underlying database logically in use in bytes.",
                m -> m.store.backend().liveSizeBytes());
        gauge(
                r,
                "etcd_debugging_mvcc_current_revision",
                "The current revision of store.",
                m -> m.store.currentRevision());
        gauge(
                r,
                "etcd_debugging_mvcc_compact_revision",
                "The revision of the last compaction in store.",
                m -> m.store.compactedRevision());
        Metrics.totalGauge(
                "etcd_debugging_mvcc_keys_total",
                "Total number of keys.",
                () -> read(CURRENT, m -> m.store.liveKeys()));
        Metrics.totalGauge(
                "etcd_debugging_mvcc_watcher_total",
                "Total number of watchers.",
                () -> read(CURRENT, MemberMetrics::watchers));
        gauge(
                r,
                "etcdj_slow_watchers",
                "Watchers behind the store's revision (catching up).",
                m -> m.hub.stats().unsynced());
        gauge(r, "etcdj_lease_count", "Leases granted and not yet revoked or expired.", m -> m.lessor.size());
        gauge(r, "etcdj_apply_lag_entries", "Committed raft entries this member has not applied yet.", m -> {
            ConsensusStatus s = m.status();
            return s.commitIndex() - s.appliedIndex();
        });
    }

    private final RaftMember member;
    private final MvccStore store;
    private final WatchHub hub;
    private final Lessor lessor;
    private final long quotaBytes;

    private MemberMetrics(RaftMember member, MvccStore store, WatchHub hub, Lessor lessor, long quotaBytes) {
        this.member = member;
        this.store = store;
        this.hub = hub;
        this.lessor = lessor;
        this.quotaBytes = quotaBytes;
    }

    /** Points the gauges at this member until {@link #close}. */
    public static MemberMetrics bind(RaftMember member, MvccStore store, WatchHub hub, Lessor lessor, long quotaBytes) {
        MemberMetrics m = new MemberMetrics(member, store, hub, lessor, quotaBytes);
        CURRENT.set(m);
        return m;
    }

    private double watchers() {
        WatchHub.Stats s = hub.stats();
        return s.synced() + s.unsynced();
    }

    private ConsensusStatus status() {
        return member.status();
    }

    private static void gauge(MeterRegistry r, String name, String help, ToDoubleFunction<MemberMetrics> f) {
        Gauge.builder(name, CURRENT, ref -> read(ref, f)).description(help).register(r);
    }

    private static void counter(MeterRegistry r, String name, String help, ToDoubleFunction<MemberMetrics> f) {
        FunctionCounter.builder(name, CURRENT, ref -> read(ref, f))
                .description(help)
                .register(r);
    }

    private static double read(AtomicReference<MemberMetrics> ref, ToDoubleFunction<MemberMetrics> f) {
        MemberMetrics m = ref.get();
        if (m == null) {
            return Double.NaN;
        }
        try {
            return f.applyAsDouble(m);
        } catch (RuntimeException e) { // e.g. the store closed under a scrape
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        CURRENT.compareAndSet(this, null);
    }
}
