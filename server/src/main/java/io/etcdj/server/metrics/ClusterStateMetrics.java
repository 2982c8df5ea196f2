package io.etcdj.server.metrics;

import java.util.Map;

/**
 * Gauges etcd 3.6 added for state that is not a count: etcd_debugging_server_alarms{server_id, alarm_type} (1 while
 * that member's alarm of that type is raised, 0 once it was disarmed) and etcd_server_feature_enabled{name, stage}
 * (each server feature gate, 1 when on).
 */
public final class ClusterStateMetrics {
    private static final LabeledGauge ALARMS = new LabeledGauge(
            Metrics.registry(),
            "etcd_debugging_server_alarms",
            "Alarms for every member in cluster. 1 for 'server_id' label with current ID. 2 for 'alarm_type' label"
                    + " with type of this alarm",
            "server_id",
            "alarm_type");
    private static final LabeledGauge FEATURES = new LabeledGauge(
            Metrics.registry(),
            "etcd_server_feature_enabled",
            "Whether or not a feature is enabled. 1 is enabled, 0 is not.",
            "name",
            "stage");

    private ClusterStateMetrics() {}

    /**
     * The alarms raised now, as member id in hex -> alarm type names: their series read 1, every series seen
     * before and not in the list reads 0. Called whenever the applied alarm list changes or is loaded.
     */
    public static synchronized void alarmsRaised(Map<String, ? extends Iterable<String>> typesByMember) {
        ALARMS.setAll(0);
        typesByMember.forEach((member, types) -> types.forEach(type -> ALARMS.set(1, member, type)));
    }

    /** A feature gate's state; {@code stage} as etcd prints it ("ALPHA", "BETA", "" for GA). */
    public static void featureGate(String name, String stage, boolean enabled) {
        FEATURES.set(enabled ? 1 : 0, name, stage);
    }
}
