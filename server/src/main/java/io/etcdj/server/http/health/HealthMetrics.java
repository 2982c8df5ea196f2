package io.etcdj.server.http.health;

import io.etcdj.server.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * etcd_server_health_success and etcd_server_health_failures: what /health answered. etcd's counters have no
 * "_total" suffix, which Prometheus' Java client would add to a counter, so they are exported as gauges of a
 * count to keep etcd's exact names (PromQL's rate() reads either). etcd 3.6's etcd_server_healthcheck{type,name} (1 when
 * the check's last run passed) and etcd_server_healthchecks_total{type,name,status}: what each /livez and /readyz
 * check found.
 */
public final class HealthMetrics implements HealthCounters {
    public static final HealthMetrics INSTANCE = new HealthMetrics();

    private final LongAdder success = new LongAdder();
    private final LongAdder failures = new LongAdder();
    /** The last outcome of each check, by "type/name"; few keys (the checks are fixed). */
    private final Map<String, AtomicInteger> lastOutcome = new ConcurrentHashMap<>();

    private HealthMetrics() {
        Gauge.builder("etcd_server_health_success", success, LongAdder::sum)
                .description("The total number of successful health checks")
                .register(Metrics.registry());
        Gauge.builder("etcd_server_health_failures", failures, LongAdder::sum)
                .description("The total number of failed health checks")
                .register(Metrics.registry());
    }

    @Override
    public void healthSucceeded() {
        success.increment();
    }

    @Override
    public void healthFailed() {
        failures.increment();
    }

    @Override
    public void checkDone(String type, String name, boolean passed) {
        lastOutcome
                .computeIfAbsent(type + "/" + name, k -> {
                    AtomicInteger value = new AtomicInteger();
                    Gauge.builder("etcd_server_healthcheck", value, AtomicInteger::get)
                            .tag("type", type)
                            .tag("name", name)
                            .description("The result of each kind of healthcheck.")
                            .register(Metrics.registry());
                    return value;
                })
                .set(passed ? 1 : 0);
        Counter.builder("etcd_server_healthchecks")
                .tag("type", type)
                .tag("name", name)
                .tag("status", passed ? "success" : "error")
                .description("The total number of each kind of healthcheck.")
                .register(Metrics.registry())
                .increment();
    }
}
