package io.etcdj.server.metrics;

import io.etcdj.server.http.health.HealthCounters;
import io.micrometer.core.instrument.Counter;

/** etcd_server_health_success and etcd_server_health_failures: what /health answered. */
public final class HealthMetrics implements HealthCounters {
    public static final HealthMetrics INSTANCE = new HealthMetrics();

    private final Counter success = Counter.builder("etcd_server_health_success")
            .description("The total number of successful health checks").register(Metrics.registry());
    private final Counter failures = Counter.builder("etcd_server_health_failures")
            .description("The total number of failed health checks").register(Metrics.registry());

    private HealthMetrics() {
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
