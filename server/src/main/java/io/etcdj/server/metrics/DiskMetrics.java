package io.etcdj.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Disk latencies under etcd's names and buckets (exponential from 1 ms, doubling, 14 buckets):
 * etcd_disk_wal_fsync_duration_seconds (each fsync of the write-ahead log) and
 * etcd_disk_backend_commit_duration_seconds (each batch written to the store), and whether a defragmentation runs.
 * Recording is lock-free and allocates nothing.
 */
public final class DiskMetrics {
    private static final Timer WAL_FSYNC =
            histogram("etcd_disk_wal_fsync_duration", "The latency distributions of fsync called by WAL.");
    private static final Timer BACKEND_COMMIT =
            histogram("etcd_disk_backend_commit_duration", "The latency distributions of commit called by backend.");

    /** etcd_disk_defrag_inflight (etcd 3.5+): 1 while a defragmentation runs. */
    private static final AtomicInteger DEFRAG_INFLIGHT = new AtomicInteger();

    static {
        Gauge.builder("etcd_disk_defrag_inflight", DEFRAG_INFLIGHT, AtomicInteger::get)
                .description("Whether or not defrag is active on the member. 1 means active, 0 means not.")
                .register(Metrics.registry());
    }

    private DiskMetrics() {}

    /** A defragmentation started (true) or ended (false). */
    public static void defragmenting(boolean running) {
        DEFRAG_INFLIGHT.set(running ? 1 : 0);
    }

    private static Timer histogram(String name, String help) {
        return histogramIn(Metrics.registry(), name, help);
    }

    /** A timer exported as a Prometheus histogram with etcd's disk buckets (1 ms doubling to about 8 s). */
    static Timer histogramIn(MeterRegistry r, String name, String help, String... tags) {
        return histogramFrom(r, name, help, 1_000_000L, 14, tags);
    }

    /** A timer exported as a Prometheus histogram: {@code count} buckets from {@code firstNanos}, doubling. */
    public static Timer histogramFrom(
            MeterRegistry r, String name, String help, long firstNanos, int count, String... tags) {
        Duration[] buckets = new Duration[count];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(firstNanos << i);
        }
        return Timer.builder(name)
                .description(help)
                .tags(tags)
                .serviceLevelObjectives(buckets)
                .register(r);
    }

    public static void walFsynced(long nanos) {
        WAL_FSYNC.record(nanos, TimeUnit.NANOSECONDS);
    }

    public static void backendCommitted(long nanos) {
        BACKEND_COMMIT.record(nanos, TimeUnit.NANOSECONDS);
    }
}
