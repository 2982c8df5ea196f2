package io.etcdj.server.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * etcd 3.6's move away from --experimental-* flags: value flags got names without the prefix (the old name still
 * works, giving both fails), and boolean ones became feature gates (the old flag still sets its gate, naming the gate
 * in --feature-gates as well fails). Runs on the raw values before anything reads them.
 */
final class FlagMigrations {
    /** Old spelling -> 3.6 name, for the value flags (etcd's experimentalFlagMigrationMap). */
    static final SequencedMap<String, String> RENAMED = new LinkedHashMap<>();

    static {
        for (String name : List.of(
                "compact-hash-check-time",
                "corrupt-check-time",
                "compaction-batch-limit",
                "watch-progress-notify-interval",
                "warning-apply-duration",
                "bootstrap-defrag-threshold-megabytes",
                "memory-mlock",
                "snapshot-catchup-entries",
                "compaction-sleep-interval",
                "downgrade-check-time",
                "peer-skip-client-san-verification",
                "enable-distributed-tracing",
                "distributed-tracing-address",
                "distributed-tracing-service-name",
                "distributed-tracing-instance-id",
                "distributed-tracing-sampling-rate",
                "warning-unary-request-duration")) {
            RENAMED.put("experimental-" + name, name);
        }
    }

    /** The flags etcd 3.6 warns about when given, with its warning. */
    private static final SequencedMap<String, String> DEPRECATED = new LinkedHashMap<>();

    static {
        DEPRECATED.put("snapshot-count", "--snapshot-count is deprecated in 3.6 and will be decommissioned in 3.7.");
        DEPRECATED.put("max-snapshots", "--max-snapshots is deprecated in 3.6 and will be decommissioned in 3.7.");
        DEPRECATED.put(
                "v2-deprecation",
                "--v2-deprecation is deprecated and scheduled for removal in v3.8. The"
                        + " default value is enforced, ignoring user input.");
        DEPRECATED.put(
                "experimental-compact-hash-check-enabled",
                "--experimental-compact-hash-check-enabled is"
                        + " deprecated in 3.6 and will be decommissioned in 3.7. Use '--feature-gates=CompactHashCheck=true'"
                        + " instead.");
        DEPRECATED.put(
                "experimental-txn-mode-write-with-shared-buffer",
                "--experimental-txn-mode-write-with-shared-"
                        + "buffer is deprecated in v3.6 and will be decommissioned in v3.7. Use"
                        + " '--feature-gates=TxnModeWriteWithSharedBuffer=true' instead.");
        RENAMED.forEach((old, current) -> DEPRECATED.putIfAbsent(
                old,
                "--" + old + " is deprecated in v3.6 and will" + " be decommissioned in v3.7. Use '--" + current
                        + "' instead."));
    }

    private FlagMigrations() {}

    /** etcd 3.6's warning for each deprecated flag the user gave. */
    static void warnDeprecated(RawValues raw, List<String> warnings) {
        DEPRECATED.forEach((flag, warning) -> {
            if (raw.isSet(flag)) {
                warnings.add(warning);
            }
        });
    }

    /** Whether the flag is an old spelling whose value {@link #apply} moves to another flag. */
    static boolean isOldSpelling(String flag) {
        return RENAMED.containsKey(flag) || FeatureGates.EXPERIMENTAL_FLAGS.containsKey(flag);
    }

    /**
     * Copies each old spelling the user gave to its new name, folds the experimental booleans into the gates, and
     * leaves the effective gates in "feature-gates". Throws {@link ConfigException} (exit 1) with 3.6's text when
     * both spellings are given.
     */
    static FeatureGates apply(RawValues raw) {
        for (Map.Entry<String, String> e : RENAMED.entrySet()) {
            String old = e.getKey();
            String current = e.getValue();
            if (!raw.isSet(old)) {
                continue;
            }
            if (raw.isSet(current)) {
                throw new ConfigException(
                        1,
                        current.equals("warning-unary-request-duration")
                                ? "both --" + old + " and --" + current + " flags are set. Use only --" + current
                                : "cannot set --" + old + " and --" + current + " at the same time, please use --"
                                        + current + " only");
            }
            raw.set(current, raw.get(old), raw.source(old), raw.origin(old));
        }
        return gates(raw);
    }

    private static FeatureGates gates(RawValues raw) {
        String given = raw.get("feature-gates");
        FeatureGates gates = FeatureGates.parse(given);
        Map<String, Boolean> fromFlags = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(FeatureGates.EXPERIMENTAL_FLAGS).entrySet()) {
            String flag = e.getKey();
            String gate = e.getValue();
            if (!raw.isSet(flag)) {
                continue;
            }
            boolean value = GoValues.parseBool(raw.get(flag));
            // etcd looks for the gate's name anywhere in the list, so LeaseCheckpointPersist also names LeaseCheckpoint
            if (given.contains(gate)) {
                boolean gateValue = gates.enabled(gate);
                throw new ConfigException(
                        1,
                        "cannot specify both flags: --" + flag + "=" + value + " and --feature-gates="
                                + gate + "=" + gateValue + " at the same time, please just use --feature-gates=" + gate
                                + "="
                                + gateValue);
            }
            fromFlags.put(gate, value);
        }
        FeatureGates effective = gates.with(fromFlags);
        raw.derive("feature-gates", effective.toString());
        return effective;
    }

    /** 3.6's checks of the gates: problems stop the start, the rest are warnings. */
    static List<String> check(FeatureGates gates, List<String> warnings) {
        List<String> problems = new ArrayList<>();
        boolean checkpoint = gates.enabled(FeatureGates.LEASE_CHECKPOINT);
        boolean persist = gates.enabled(FeatureGates.LEASE_CHECKPOINT_PERSIST);
        if (checkpoint && !persist) {
            warnings.add("Detected that checkpointing is enabled without persistence. Consider enabling feature gate"
                    + " LeaseCheckpointPersist");
        }
        if (persist && !checkpoint) {
            problems.add("enabling feature gate LeaseCheckpointPersist requires enabling feature gate LeaseCheckpoint");
        }
        for (String gate : List.of(
                FeatureGates.COMPACT_HASH_CHECK,
                FeatureGates.SET_MEMBER_LOCAL_ADDR,
                FeatureGates.STOP_GRPC_SERVICE_ON_DEFRAG)) {
            if (gates.enabled(gate)) {
                problems.add("feature gate " + gate + "=true is not supported by etcdj yet; remove it");
            }
        }
        return problems;
    }
}
