package io.etcdj.server.http.health;

import io.etcdj.server.http.health.HealthCounters;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.LongAdder;
import io.etcdj.server.metrics.Metrics;

/**
 * etcd_server_health_success and etcd_server_health_failures: what /health answered. etcd's counters have no
 * "_total" suffix, which Prometheus' Java client would add to a counter, so they are exported as gauges of a
 * count to keep etcd's exact names (PromQL's rate() reads either).
 */
public final class HealthMetrics implements HealthCounters {
    public static final HealthMetrics INSTANCE = new HealthMetrics();

    private final LongAdder success = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private HealthMetrics() {
        Gauge.builder("etcd_server_health_success", success, LongAdder::sum)
                .description("The total number of successful health checks").register(Metrics.registry());
        Gauge.builder("etcd_server_health_failures", failures, LongAdder::sum)
                .description("The total number of failed health checks").register(Metrics.registry());
    }

    @Override
    public void healthSucceeded() {
        success.increment();
    }

    @Override
    public void healthFailed() {
        failures.increment();
    }
}
