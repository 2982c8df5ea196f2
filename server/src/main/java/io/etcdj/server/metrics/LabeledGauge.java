package io.etcdj.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gauge whose series are told apart by label values known only at run time (etcd's GaugeVec): a series is
 * registered the first time a value is set for its labels and then stays, as Prometheus expects. The number of
 * series is bounded by the caller's label values (alarm types per member, feature gates), never by requests.
 */
public final class LabeledGauge {
    private final MeterRegistry registry;
    private final String name;
    private final String help;
    private final List<String> labelNames;
    /** One value per label-value list; series are added under the map's own locking, values set atomically. */
    private final Map<List<String>, AtomicLong> series = new ConcurrentHashMap<>();

    public LabeledGauge(MeterRegistry registry, String name, String help, String... labelNames) {
        this.registry = registry;
        this.name = name;
        this.help = help;
        this.labelNames = List.of(labelNames);
    }

    /** Sets the series for these label values (in the order the label names were given). */
    public void set(long value, String... labelValues) {
        List<String> key = List.of(labelValues);
        if (key.size() != labelNames.size()) {
            throw new IllegalArgumentException(name + " takes labels " + labelNames + ", given " + key);
        }
        series.computeIfAbsent(key, this::register).set(value);
    }

    /** Sets every series already seen to {@code value} (e.g. 0 before the active ones are set to 1). */
    public void setAll(long value) {
        series.values().forEach(v -> v.set(value));
    }

    private AtomicLong register(List<String> labelValues) {
        AtomicLong value = new AtomicLong();
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < labelNames.size(); i++) {
            tags.add(labelNames.get(i));
            tags.add(labelValues.get(i));
        }
        Gauge.builder(name, value, AtomicLong::get)
                .description(help)
                .tags(tags.toArray(String[]::new))
                .register(registry);
        return value;
    }
}
