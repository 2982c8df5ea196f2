package io.etcdj.server.cli;

import io.etcdj.server.metrics.ClusterStateMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * etcd 3.6's server feature gates (--feature-gates / ETCD_FEATURE_GATES / config key "feature-gates"): a list of
 * {@code Name=bool} pairs over a fixed set of gates, parsed the way 3.6's Kubernetes-style gate parses it. The special
 * gates AllAlpha and AllBeta set every alpha (beta) gate the list does not name. Immutable.
 */
public final class FeatureGates {
    /** A gate's maturity, as etcd's help prints it. */
    enum Stage {
        ALPHA,
        BETA
    }

    /** One gate and its default. */
    record Gate(String name, boolean defaultValue, Stage stage) {}

    static final String ALL_ALPHA = "AllAlpha";
    static final String ALL_BETA = "AllBeta";
    public static final String COMPACT_HASH_CHECK = "CompactHashCheck";
    public static final String INITIAL_CORRUPT_CHECK = "InitialCorruptCheck";
    public static final String LEASE_CHECKPOINT = "LeaseCheckpoint";
    public static final String LEASE_CHECKPOINT_PERSIST = "LeaseCheckpointPersist";
    public static final String SET_MEMBER_LOCAL_ADDR = "SetMemberLocalAddr";
    public static final String STOP_GRPC_SERVICE_ON_DEFRAG = "StopGRPCServiceOnDefrag";
    public static final String TXN_MODE_WRITE_WITH_SHARED_BUFFER = "TxnModeWriteWithSharedBuffer";

    /** Every gate etcd 3.6 knows, sorted by name (help order). */
    static final List<Gate> KNOWN = List.of(
            new Gate(ALL_ALPHA, false, Stage.ALPHA),
            new Gate(ALL_BETA, false, Stage.BETA),
            new Gate(COMPACT_HASH_CHECK, false, Stage.ALPHA),
            new Gate(INITIAL_CORRUPT_CHECK, false, Stage.ALPHA),
            new Gate(LEASE_CHECKPOINT, false, Stage.ALPHA),
            new Gate(LEASE_CHECKPOINT_PERSIST, false, Stage.ALPHA),
            new Gate(SET_MEMBER_LOCAL_ADDR, false, Stage.ALPHA),
            new Gate(STOP_GRPC_SERVICE_ON_DEFRAG, false, Stage.ALPHA),
            new Gate(TXN_MODE_WRITE_WITH_SHARED_BUFFER, true, Stage.BETA));

    /** The 3.5 boolean flags that 3.6 still accepts in place of a gate. */
    static final Map<String, String> EXPERIMENTAL_FLAGS = Map.of(
            "experimental-compact-hash-check-enabled", COMPACT_HASH_CHECK,
            "experimental-initial-corrupt-check", INITIAL_CORRUPT_CHECK,
            "experimental-enable-lease-checkpoint", LEASE_CHECKPOINT,
            "experimental-enable-lease-checkpoint-persist", LEASE_CHECKPOINT_PERSIST,
            "experimental-stop-grpc-service-on-defrag", STOP_GRPC_SERVICE_ON_DEFRAG,
            "experimental-txn-mode-write-with-shared-buffer", TXN_MODE_WRITE_WITH_SHARED_BUFFER);

    private static final FeatureGates DEFAULTS = new FeatureGates(Map.of());

    /** Gates given a value, by name (AllAlpha and AllBeta already spread over the gates they cover). */
    private final Map<String, Boolean> set;

    private FeatureGates(Map<String, Boolean> set) {
        this.set = Map.copyOf(set);
    }

    static FeatureGates defaults() {
        return DEFAULTS;
    }

    /**
     * Parses a gate list; throws {@link IllegalArgumentException} with etcd's reason ("unrecognized feature gate:
     * X", "missing bool value for X", "invalid value of X=Y, err: ...").
     */
    static FeatureGates parse(String text) {
        Map<String, Boolean> given = new LinkedHashMap<>();
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                continue;
            }
            String[] pair = item.split("=", 2);
            String name = pair[0].trim();
            if (pair.length != 2) {
                throw new IllegalArgumentException("missing bool value for " + name);
            }
            String value = pair[1].trim();
            try {
                given.put(name, GoValues.parseBool(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "invalid value of " + name + "=" + value + ", err: strconv.ParseBool: parsing \"" + value
                                + "\": invalid syntax",
                        e);
            }
        }
        return DEFAULTS.with(given);
    }

    /** These gates with more values; a named gate wins over AllAlpha/AllBeta, whatever the order. */
    FeatureGates with(Map<String, Boolean> more) {
        Map<String, Boolean> next = new TreeMap<>(set);
        for (String name : more.keySet()) {
            if (find(name).isEmpty()) {
                throw new IllegalArgumentException("unrecognized feature gate: " + name);
            }
        }
        next.putAll(more);
        for (Map.Entry<String, Boolean> e : more.entrySet()) {
            Stage stage =
                    e.getKey().equals(ALL_ALPHA) ? Stage.ALPHA : e.getKey().equals(ALL_BETA) ? Stage.BETA : null;
            if (stage != null) {
                KNOWN.stream()
                        .filter(g -> g.stage() == stage && !more.containsKey(g.name()))
                        .forEach(g -> next.put(g.name(), e.getValue()));
            }
        }
        return new FeatureGates(next);
    }

    /** Whether the gate is on. */
    public boolean enabled(String name) {
        Gate gate = find(name).orElseThrow(() -> new IllegalArgumentException("no such feature gate: " + name));
        return set.getOrDefault(name, gate.defaultValue());
    }

    /** Shows every known gate's state in etcd_server_feature_enabled{name, stage}. */
    void publishMetrics() {
        KNOWN.forEach(g -> ClusterStateMetrics.featureGate(g.name(), g.stage().name(), enabled(g.name())));
    }

    /** The gates given a value, as "A=true,B=false" in name order (etcd's String()). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(set)
                .forEach((k, v) -> out.append(out.isEmpty() ? "" : ",")
                        .append(k)
                        .append('=')
                        .append(v));
        return out.toString();
    }

    /** The help text's list of gates, as etcd prints it. */
    static String helpList() {
        StringBuilder out = new StringBuilder();
        for (Gate g : KNOWN) {
            out.append('\n')
                    .append(g.name())
                    .append("=true|false (")
                    .append(g.stage())
                    .append(" - default=")
                    .append(g.defaultValue())
                    .append(')');
        }
        return out.toString();
    }

    private static Optional<Gate> find(String name) {
        return KNOWN.stream().filter(g -> g.name().equals(name)).findFirst();
    }
}
