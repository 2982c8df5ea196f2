package io.etcdj.server.cli;

import static io.etcdj.server.cli.FlagKind.BOOL;
import static io.etcdj.server.cli.FlagKind.DURATION;
import static io.etcdj.server.cli.FlagKind.FEATURE_GATES;
import static io.etcdj.server.cli.FlagKind.IGNORED;
import static io.etcdj.server.cli.FlagKind.INT;
import static io.etcdj.server.cli.FlagKind.STRING;
import static io.etcdj.server.cli.FlagKind.UINT;
import static io.etcdj.server.cli.FlagKind.UNIQUE_STRINGS;
import static io.etcdj.server.cli.FlagKind.URLS;
import static io.etcdj.server.cli.FlagStatus.ACCEPTED;
import static io.etcdj.server.cli.FlagStatus.NOT_YET;
import static io.etcdj.server.cli.FlagStatus.SUPPORTED;

/**
 * etcd's monitoring, logging, tracing, feature gates, experimental, unsafe and ignored legacy flags, with etcd
 * 3.6's defaults.
 */
final class OperationsFlags {
    /** Flags etcd dropped long ago and only warns about. */
    private static final String[] LEGACY_IGNORED = {
        "cluster-active-size",
        "cluster-remove-delay",
        "cluster-sync-interval",
        "config",
        "force",
        "max-result-buffer",
        "max-retry-attempts",
        "peer-heartbeat-interval",
        "peer-election-timeout",
        "retry-interval",
        "snapshot",
        "v",
        "vv",
        "test.coverprofile",
        "test.outputdir",
    };

    private OperationsFlags() {}

    static void addTo(FlagTableBuilder b) {
        b.group(FlagGroup.MONITORING)
                .add(
                        "enable-pprof",
                        BOOL,
                        "false",
                        ACCEPTED,
                        "Serve Go's pprof profiles (a JVM has its own profilers).")
                .add("metrics", STRING, "basic", ACCEPTED, "Detail of exported metrics: 'basic' or 'extensive'.")
                .add(
                        "listen-metrics-urls",
                        URLS,
                        "",
                        SUPPORTED,
                        "Extra URLs serving only /metrics and the health endpoints.");

        b.group(FlagGroup.LOGGING)
                .add("logger", STRING, "zap", SUPPORTED, "Logger: only 'zap' since etcd 3.5.")
                .add(
                        "log-outputs",
                        UNIQUE_STRINGS,
                        "default",
                        SUPPORTED,
                        "Where logs go: 'default', 'stderr', 'stdout', or file paths, comma-separated.")
                .add(
                        "log-level",
                        STRING,
                        "info",
                        SUPPORTED,
                        "Lowest level logged: debug, info, warn, error, panic or fatal.")
                .add(
                        "log-format",
                        STRING,
                        "json",
                        ACCEPTED,
                        "Log line format of etcd's zap logger: 'json' or 'console' (etcdj keeps its own).")
                .choices("json", "console")
                .add("enable-log-rotation", BOOL, "false", ACCEPTED, "Rotate a single log file target.")
                .add(
                        "log-rotation-config-json",
                        STRING,
                        "{\"maxsize\": 100, \"maxage\": 0, \"maxbackups\": 0, \"localtime\": false, \"compress\": false}",
                        ACCEPTED,
                        "Rotation settings as JSON, used with enable-log-rotation.");

        b.group(FlagGroup.TRACING)
                .add("enable-distributed-tracing", BOOL, "false", NOT_YET, "Export OpenTelemetry traces.")
                .add(
                        "distributed-tracing-address",
                        STRING,
                        "localhost:4317",
                        ACCEPTED,
                        "OpenTelemetry collector address (tracing only).")
                .add(
                        "distributed-tracing-service-name",
                        STRING,
                        "etcd",
                        ACCEPTED,
                        "Service name in traces (tracing only).")
                .add("distributed-tracing-instance-id", STRING, "", ACCEPTED, "Instance id in traces (tracing only).")
                .add(
                        "distributed-tracing-sampling-rate",
                        INT,
                        "0",
                        ACCEPTED,
                        "Spans sampled per million (tracing only).");

        b.group(FlagGroup.EXPERIMENTAL)
                .add(
                        "feature-gates",
                        FEATURE_GATES,
                        "",
                        SUPPORTED,
                        "Feature gates as Name=true|false pairs, comma-separated. Gates:" + FeatureGates.helpList())
                .add(
                        "corrupt-check-time",
                        DURATION,
                        "0s",
                        SUPPORTED,
                        "Period of the leader's corruption checks of every member (0 disables).")
                .add(
                        "compact-hash-check-time",
                        DURATION,
                        "1m",
                        ACCEPTED,
                        "Period of compaction hash checks (with the CompactHashCheck gate only).")
                .add(
                        "compaction-batch-limit",
                        INT,
                        "1000",
                        ACCEPTED,
                        "Revisions deleted per compaction batch in bbolt.")
                .add(
                        "compaction-sleep-interval",
                        DURATION,
                        "0s",
                        ACCEPTED,
                        "Pause between compaction batches in bbolt.")
                .add(
                        "watch-progress-notify-interval",
                        DURATION,
                        "10m",
                        SUPPORTED,
                        "Period of progress notifications on watches that asked for them.")
                .add("warning-apply-duration", DURATION, "100ms", ACCEPTED, "Applying longer than this logs a warning.")
                .add(
                        "warning-unary-request-duration",
                        DURATION,
                        "300ms",
                        ACCEPTED,
                        "A unary request longer than this logs a warning.")
                .add("downgrade-check-time", DURATION, "5s", ACCEPTED, "Period of downgrade status checks.")
                .add("memory-mlock", BOOL, "false", NOT_YET, "Lock the storage pages in RAM.")
                .add(
                        "bootstrap-defrag-threshold-megabytes",
                        UINT,
                        "0",
                        ACCEPTED,
                        "Defragment bbolt at start when that frees this much.");

        // etcd 3.5's spellings, still accepted by 3.6: each value moves to its new name or feature gate
        b.group(FlagGroup.EXPERIMENTAL_OLD)
                .add(
                        "experimental-initial-corrupt-check",
                        BOOL,
                        "false",
                        SUPPORTED,
                        "Same as --feature-gates=InitialCorruptCheck=...")
                .add("experimental-corrupt-check-time", DURATION, "0s", SUPPORTED, "Old name of --corrupt-check-time.")
                .add(
                        "experimental-compact-hash-check-enabled",
                        BOOL,
                        "false",
                        NOT_YET,
                        "Same as --feature-gates=CompactHashCheck=...")
                .add(
                        "experimental-compact-hash-check-time",
                        DURATION,
                        "1m",
                        ACCEPTED,
                        "Old name of --compact-hash-check-time.")
                .add(
                        "experimental-enable-lease-checkpoint",
                        BOOL,
                        "false",
                        ACCEPTED,
                        "Same as --feature-gates=LeaseCheckpoint=...")
                .add(
                        "experimental-enable-lease-checkpoint-persist",
                        BOOL,
                        "false",
                        ACCEPTED,
                        "Same as --feature-gates=LeaseCheckpointPersist=...")
                .add(
                        "experimental-compaction-batch-limit",
                        INT,
                        "1000",
                        ACCEPTED,
                        "Old name of --compaction-batch-limit.")
                .add(
                        "experimental-compaction-sleep-interval",
                        DURATION,
                        "0s",
                        ACCEPTED,
                        "Old name of --compaction-sleep-interval.")
                .add(
                        "experimental-peer-skip-client-san-verification",
                        BOOL,
                        "false",
                        NOT_YET,
                        "Old name of --peer-skip-client-san-verification.")
                .add(
                        "experimental-watch-progress-notify-interval",
                        DURATION,
                        "10m",
                        SUPPORTED,
                        "Old name of --watch-progress-notify-interval.")
                .add(
                        "experimental-warning-apply-duration",
                        DURATION,
                        "100ms",
                        ACCEPTED,
                        "Old name of --warning-apply-duration.")
                .add(
                        "experimental-warning-unary-request-duration",
                        DURATION,
                        "300ms",
                        ACCEPTED,
                        "Old name of --warning-unary-request-duration.")
                .add(
                        "experimental-downgrade-check-time",
                        DURATION,
                        "5s",
                        ACCEPTED,
                        "Old name of --downgrade-check-time.")
                .add("experimental-memory-mlock", BOOL, "false", NOT_YET, "Old name of --memory-mlock.")
                .add(
                        "experimental-txn-mode-write-with-shared-buffer",
                        BOOL,
                        "true",
                        ACCEPTED,
                        "Same as --feature-gates=TxnModeWriteWithSharedBuffer=...")
                .add(
                        "experimental-bootstrap-defrag-threshold-megabytes",
                        UINT,
                        "0",
                        ACCEPTED,
                        "Old name of --bootstrap-defrag-threshold-megabytes.")
                .add(
                        "experimental-snapshot-catchup-entries",
                        UINT,
                        "5000",
                        ACCEPTED,
                        "Old name of --snapshot-catchup-entries.")
                .add(
                        "experimental-stop-grpc-service-on-defrag",
                        BOOL,
                        "false",
                        NOT_YET,
                        "Same as --feature-gates=StopGRPCServiceOnDefrag=...")
                .add(
                        "experimental-enable-distributed-tracing",
                        BOOL,
                        "false",
                        NOT_YET,
                        "Old name of --enable-distributed-tracing.")
                .add(
                        "experimental-distributed-tracing-address",
                        STRING,
                        "localhost:4317",
                        ACCEPTED,
                        "Old name of --distributed-tracing-address.")
                .add(
                        "experimental-distributed-tracing-service-name",
                        STRING,
                        "etcd",
                        ACCEPTED,
                        "Old name of --distributed-tracing-service-name.")
                .add(
                        "experimental-distributed-tracing-instance-id",
                        STRING,
                        "",
                        ACCEPTED,
                        "Old name of --distributed-tracing-instance-id.")
                .add(
                        "experimental-distributed-tracing-sampling-rate",
                        INT,
                        "0",
                        ACCEPTED,
                        "Old name of --distributed-tracing-sampling-rate.");

        b.group(FlagGroup.UNSAFE)
                .add(
                        "force-new-cluster",
                        BOOL,
                        "false",
                        SUPPORTED,
                        "Restart as a one-member cluster keeping the data; other members are dropped.")
                .add("unsafe-no-fsync", BOOL, "false", NOT_YET, "Never fsync; a crash can lose acknowledged writes.");

        b.group(FlagGroup.HIDDEN);
        for (String name : LEGACY_IGNORED) {
            b.add(name, IGNORED, "", FlagStatus.IGNORED, "No longer used; ignored with a warning.");
        }
    }
}
