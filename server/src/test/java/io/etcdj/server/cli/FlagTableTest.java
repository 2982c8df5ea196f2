package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagTableTest {
    /**
     * Every flag `etcd --help` of etcd 3.4.23 lists, plus the ones its config.go defines without help; less the v2
     * API and v2 proxy flags and the 3.4 logging spellings, which etcd 3.6 removed (see {@link #v2FlagsAreGoneAsIn36},
     * ValidationTest).
     */
    private static final List<String> ETCD_34_FLAGS = List.of(
            "advertise-client-urls",
            "auth-token",
            "auth-token-ttl",
            "auto-compaction-mode",
            "auto-compaction-retention",
            "auto-tls",
            "backend-batch-interval",
            "backend-batch-limit",
            "bcrypt-cost",
            "cert-file",
            "cipher-suites",
            "client-cert-allowed-hostname",
            "client-cert-auth",
            "client-crl-file",
            "cors",
            "data-dir",
            "discovery",
            "discovery-fallback",
            "discovery-proxy",
            "discovery-srv",
            "discovery-srv-name",
            "election-timeout",
            "enable-pprof",
            "experimental-compaction-batch-limit",
            "experimental-corrupt-check-time",
            "experimental-enable-lease-checkpoint",
            "experimental-initial-corrupt-check",
            "experimental-peer-skip-client-san-verification",
            "experimental-warning-apply-duration",
            "experimental-watch-progress-notify-interval",
            "force-new-cluster",
            "grpc-keepalive-interval",
            "grpc-keepalive-min-time",
            "grpc-keepalive-timeout",
            "heartbeat-interval",
            "host-whitelist",
            "initial-advertise-peer-urls",
            "initial-cluster",
            "initial-cluster-state",
            "initial-cluster-token",
            "initial-election-tick-advance",
            "key-file",
            "listen-client-urls",
            "listen-metrics-urls",
            "listen-peer-urls",
            "log-level",
            "log-outputs",
            "logger",
            "max-concurrent-streams",
            "max-request-bytes",
            "max-snapshots",
            "max-txn-ops",
            "max-wals",
            "metrics",
            "name",
            "peer-auto-tls",
            "peer-cert-allowed-cn",
            "peer-cert-allowed-hostname",
            "peer-cert-file",
            "peer-client-cert-auth",
            "peer-crl-file",
            "peer-key-file",
            "peer-trusted-ca-file",
            "pre-vote",
            "quota-backend-bytes",
            "snapshot-count",
            "strict-reconfig-check",
            "trusted-ca-file",
            "wal-dir",
            "experimental-enable-lease-checkpoint-persist",
            "unsafe-no-fsync",
            "config-file",
            "version",
            "enable-grpc-gateway");

    /** Flags etcd 3.5 added. */
    private static final List<String> ETCD_35_ADDITIONS = List.of(
            "socket-reuse-port",
            "socket-reuse-address",
            "raft-read-timeout",
            "raft-write-timeout",
            "v2-deprecation",
            "client-cert-file",
            "client-key-file",
            "peer-client-cert-file",
            "peer-client-key-file",
            "self-signed-cert-validity",
            "enable-log-rotation",
            "log-rotation-config-json",
            "experimental-enable-distributed-tracing",
            "experimental-distributed-tracing-address",
            "experimental-distributed-tracing-service-name",
            "experimental-distributed-tracing-instance-id",
            "experimental-distributed-tracing-sampling-rate",
            "experimental-compact-hash-check-enabled",
            "experimental-compact-hash-check-time",
            "experimental-downgrade-check-time",
            "experimental-memory-mlock",
            "experimental-txn-mode-write-with-shared-buffer",
            "experimental-bootstrap-defrag-threshold-megabytes",
            "experimental-stop-grpc-service-on-defrag",
            "backend-bbolt-freelist-type");

    /** Flags etcd's e2e harness passes, which etcdj must honour. */
    private static final List<String> MUST_BE_SUPPORTED = List.of(
            "name",
            "data-dir",
            "wal-dir",
            "listen-client-urls",
            "advertise-client-urls",
            "listen-peer-urls",
            "initial-advertise-peer-urls",
            "initial-cluster",
            "initial-cluster-token",
            "initial-cluster-state",
            "snapshot-count",
            "quota-backend-bytes",
            "auth-token",
            "max-concurrent-streams",
            "listen-metrics-urls",
            "cert-file",
            "key-file",
            "trusted-ca-file",
            "client-cert-auth",
            "auto-tls",
            "peer-cert-file",
            "peer-key-file",
            "peer-trusted-ca-file",
            "peer-client-cert-auth",
            "peer-auto-tls",
            "client-crl-file",
            "peer-crl-file",
            "cipher-suites",
            "experimental-initial-corrupt-check",
            "strict-reconfig-check",
            "force-new-cluster",
            "heartbeat-interval",
            "election-timeout",
            "max-txn-ops",
            "max-request-bytes",
            "enable-grpc-gateway",
            "experimental-watch-progress-notify-interval",
            "auto-compaction-mode",
            "auto-compaction-retention",
            "log-level",
            "logger",
            "log-outputs",
            "peer-cert-allowed-cn",
            "peer-cert-allowed-hostname");

    @Test
    void everyEtcdFlagIsKnown() {
        for (String name : ETCD_34_FLAGS) {
            assertTrue(FlagTable.find(name).isPresent(), "etcd 3.4 flag missing: " + name);
        }
        for (String name : ETCD_35_ADDITIONS) {
            assertTrue(FlagTable.find(name).isPresent(), "etcd 3.5 flag missing: " + name);
        }
    }

    /** Flags etcd 3.6 added. */
    private static final List<String> ETCD_36_ADDITIONS = List.of(
            "feature-gates",
            "snapshot-catchup-entries",
            "max-learners",
            "corrupt-check-time",
            "compact-hash-check-time",
            "compaction-batch-limit",
            "compaction-sleep-interval",
            "watch-progress-notify-interval",
            "warning-apply-duration",
            "warning-unary-request-duration",
            "downgrade-check-time",
            "memory-mlock",
            "bootstrap-defrag-threshold-megabytes",
            "peer-skip-client-san-verification",
            "enable-distributed-tracing",
            "distributed-tracing-address",
            "distributed-tracing-service-name",
            "distributed-tracing-instance-id",
            "distributed-tracing-sampling-rate",
            "experimental-snapshot-catchup-entries",
            "experimental-compaction-sleep-interval",
            "experimental-warning-unary-request-duration",
            "log-format",
            "tls-min-version",
            "tls-max-version",
            "listen-client-http-urls",
            "discovery-endpoints",
            "discovery-token",
            "discovery-dial-timeout",
            "discovery-request-timeout",
            "discovery-keepalive-time",
            "discovery-keepalive-timeout",
            "discovery-insecure-transport",
            "discovery-insecure-skip-tls-verify",
            "discovery-cert",
            "discovery-key",
            "discovery-cacert",
            "discovery-user",
            "discovery-password");

    @Test
    void every36FlagIsKnown() {
        for (String name : ETCD_36_ADDITIONS) {
            assertTrue(FlagTable.find(name).isPresent(), "etcd 3.6 flag missing: " + name);
        }
    }

    @Test
    void v2FlagsAreGoneAsIn36() {
        for (String name : List.of(
                "enable-v2",
                "experimental-enable-v2v3",
                "proxy",
                "proxy-dial-timeout",
                "proxy-failure-wait",
                "proxy-read-timeout",
                "proxy-refresh-interval",
                "proxy-write-timeout")) {
            assertTrue(FlagTable.find(name).isEmpty(), name);
            ConfigLoader.Exit exit = Loads.exit("--" + name + "=false");
            assertEquals(2, exit.exitCode());
            assertTrue(exit.stderr().startsWith("flag provided but not defined: -" + name + "\n"), exit.stderr());
        }
    }

    @Test
    void harnessFlagsAreSupported() {
        for (String name : MUST_BE_SUPPORTED) {
            assertEquals(FlagStatus.SUPPORTED, FlagTable.get(name).status(), name);
        }
    }

    @Test
    void everyDefaultIsValidForItsOwnFlag() {
        for (FlagDef def : FlagTable.all()) {
            try {
                def.check(def.defaultValue());
            } catch (IllegalArgumentException e) {
                fail(def.name() + ": default \"" + def.defaultValue() + "\" is invalid: " + e.getMessage());
            }
            assertTrue(def.isDefault(def.defaultValue()), def.name());
            assertTrue(!def.help().isBlank(), def.name());
        }
    }

    @Test
    void environmentNamesFollowEtcdsRule() {
        assertEquals("ETCD_DATA_DIR", FlagTable.get("data-dir").envName());
        assertEquals("ETCD_INITIAL_CLUSTER", FlagTable.get("initial-cluster").envName());
        assertEquals(
                "ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL",
                FlagTable.get("experimental-watch-progress-notify-interval").envName());
    }

    @Test
    void meaningNotSpellingDecidesWhetherAValueIsTheDefault() {
        assertTrue(FlagTable.get("grpc-keepalive-timeout").isDefault("20000ms"));
        assertTrue(FlagTable.get("socket-reuse-port").isDefault("0"));
        assertTrue(FlagTable.get("host-whitelist").isDefault("*,*"));
        assertTrue(!FlagTable.get("grpc-keepalive-timeout").isDefault("5s"));
    }
}
