package io.etcdj.server.metrics;

import io.etcdj.server.common.Versions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The process's metrics registry, exposed in Prometheus text format on /metrics. One per process, like etcd's
 * default Prometheus registry: instrumentation on hot paths is a static field away (no lookup, no allocation), and
 * a process runs one member. Metrics that have an etcd equivalent carry etcd's name and meaning.
 */
public final class Metrics {
    private static final PrometheusMeterRegistry REGISTRY = create();
    /** --metrics=extensive; set before the member starts. */
    private static volatile boolean extensive;

    private Metrics() {
    }

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
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
        Gauge.builder("etcd_server_version", () -> 1).tag("server_version", Versions.ETCD_SERVER)
                .description("Which version is running. 1 for 'server_version' label with current version.")
                .register(r);
        Gauge.builder("etcd_cluster_version", () -> 1).tag("cluster_version", Versions.ETCD_CLUSTER)
                .description("Which version is running. 1 for 'cluster_version' label with current cluster version")
                .register(r);
        new ProcessMetrics().bindTo(r);
        new JvmMemoryMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        // JvmGcMetrics keeps listeners for the life of the process, as the registry lives
        @SuppressWarnings("resource") JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(r);
        return r;
    }
}
