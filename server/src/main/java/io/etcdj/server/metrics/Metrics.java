package io.etcdj.server.metrics;

import io.etcdj.server.common.Versions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/**
 * The process's metrics registry, exposed in Prometheus text format on /metrics. One per process, like etcd's
 * default Prometheus registry: instrumentation on hot paths is a static field away (no lookup, no allocation), and
 * a process runs one member. Metrics that have an etcd equivalent carry etcd's name and meaning.
 */
public final class Metrics {
    private static final PrometheusMeterRegistry REGISTRY = create();
    /** --metrics=extensive; set before the member starts. */
    private static volatile boolean extensive;
    /** Gauges under etcd names ending in "_total", which Prometheus' Java client refuses to gauges; in name order. */
    private static final List<TotalGauge> TOTAL_GAUGES = new CopyOnWriteArrayList<>();

    private record TotalGauge(String name, String help, DoubleSupplier value) {}

    private Metrics() {}

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /**
     * Registers a gauge whose etcd name ends in "_total" (etcd_debugging_mvcc_keys_total, ..._watcher_total):
     * Prometheus' Java client strips that suffix from gauges, so these are written after its exposition by
     * {@link #scrape}, in the same text format. Register each name once per process.
     */
    public static void totalGauge(String name, String help, DoubleSupplier value) {
        if (!name.endsWith("_total") || TOTAL_GAUGES.stream().anyMatch(g -> g.name.equals(name))) {
            throw new IllegalArgumentException("not a new _total gauge: " + name);
        }
        TOTAL_GAUGES.add(new TotalGauge(name, help, value));
    }

    /** The whole exposition in Prometheus text format 0.0.4: the registry's, then the "_total" gauges. */
    public static String scrape() {
        StringBuilder out = new StringBuilder(REGISTRY.scrape());
        for (TotalGauge g : TOTAL_GAUGES) {
            double v = g.value.getAsDouble();
            out.append("# HELP ")
                    .append(g.name)
                    .append(' ')
                    .append(g.help)
                    .append('\n')
                    .append("# TYPE ")
                    .append(g.name)
                    .append(" gauge\n")
                    .append(g.name)
                    .append(' ')
                    .append(v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v))
                    .append('\n');
        }
        return out.toString();
    }

    /** --metrics: "extensive" adds per-method gRPC latency histograms to "basic". */
    public static void setLevel(String level) {
        extensive = "extensive".equals(level);
    }

    public static boolean extensive() {
        return extensive;
    }

    private static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge.builder("etcd_server_version", () -> 1)
                .tag("server_version", Versions.ETCD_SERVER)
                .description("Which version is running. 1 for 'server_version' label with current version.")
                .register(r);
        // etcd labels the cluster version major.minor here ("3.4"), unlike /version's "3.4.0"
        Gauge.builder("etcd_cluster_version", () -> 1)
                .tag("cluster_version", Versions.ETCD_API)
                .description("Which version is running. 1 for 'cluster_version' label with current cluster version")
                .register(r);
        new ProcessMetrics().bindTo(r);
        new JvmMemoryMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        // JvmGcMetrics keeps listeners for the life of the process, as the registry lives
        @SuppressWarnings("resource")
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(r);
        return r;
    }
}
