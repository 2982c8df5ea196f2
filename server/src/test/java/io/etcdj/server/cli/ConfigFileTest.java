package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's YAML config file. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private static final String SAMPLE = """
            # as etcd's sample config writes it
            name: 'infra1'
            data-dir: /var/lib/etcd/infra1
            wal-dir:
            snapshot-count: 10000
            heartbeat-interval: 200
            election-timeout: 2000
            quota-backend-bytes: 4294967296
            listen-peer-urls: https://127.0.0.1:12380
            listen-client-urls: http://127.0.0.1:12379,https://127.0.0.1:22379
            max-snapshots: 5
            cors:
            initial-advertise-peer-urls: https://127.0.0.1:12380
            advertise-client-urls: http://127.0.0.1:12379
            discovery:
            discovery-fallback: 'proxy'
            initial-cluster: infra1=https://127.0.0.1:12380,infra2=https://127.0.0.1:22380
            initial-cluster-token: 'etcd-cluster-1'
            initial-cluster-state: 'new'
            strict-reconfig-check: false
            client-transport-security:
              cert-file: /certs/server.crt
              key-file: /certs/server.key
              client-cert-auth: true
              trusted-ca-file: /certs/ca.crt
              auto-tls: false
            peer-transport-security:
              cert-file: /certs/peer.crt
              key-file: /certs/peer.key
              client-cert-auth: true
              trusted-ca-file: /certs/ca.crt
              auto-tls: false
              allowed-cn: infra
            log-level: debug
            logger: zap
            log-outputs: [stderr]
            force-new-cluster: false
            auto-compaction-mode: periodic
            auto-compaction-retention: "1"
            experimental-watch-progress-notify-interval: 5000000000
            cipher-suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]
            """;

    @Test
    void readsEtcdsKeysAndSecuritySections() throws IOException {
        ConfigLoader.Start start = Loads.start("--config-file", write(SAMPLE).toString());
        ServerConfig config = start.config();
        assertEquals("infra1", config.name());
        assertEquals(Path.of("/var/lib/etcd/infra1"), config.dataDir());
        assertNull(config.walDir());
        assertEquals(10_000, config.snapshotCount());
        assertEquals(200, config.heartbeatIntervalMs());
        assertEquals(2000, config.electionTimeoutMs());
        assertEquals(4L << 30, config.quotaBackendBytes());
        assertEquals(
                List.of(URI.create("http://127.0.0.1:12379"), URI.create("https://127.0.0.1:22379")),
                config.listenClientUrls());
        assertEquals(
                List.of("infra1", "infra2"), List.copyOf(config.initialCluster().keySet()));
        assertEquals("etcd-cluster-1", config.initialClusterToken());
        assertFalse(config.strictReconfigCheck());
        assertEquals(
                new TlsConfig(
                        Path.of("/certs/server.crt"),
                        Path.of("/certs/server.key"),
                        Path.of("/certs/ca.crt"),
                        true,
                        false,
                        null,
                        null,
                        null),
                config.clientSecurity());
        assertEquals(
                new TlsConfig(
                        Path.of("/certs/peer.crt"),
                        Path.of("/certs/peer.key"),
                        Path.of("/certs/ca.crt"),
                        true,
                        false,
                        null,
                        "infra",
                        null),
                config.peerSecurity());
        assertEquals("debug", config.logLevel());
        assertEquals(List.of("stderr"), config.logOutputs());
        assertEquals(Duration.ofHours(1), config.autoCompactionPeriod());
        assertEquals(Duration.ofSeconds(5), config.watchProgressNotifyInterval());
        assertEquals(
                List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
                config.cipherSuites());
        // As etcd 3.6 does, the deprecated keys draw a warning each, and the plain-http client URL one that its TLS
        // settings do not apply.
        List<String> warnings = start.warnings();
        assertEquals(5, warnings.size(), warnings.toString());
        assertEquals(
                3,
                warnings.stream().filter(w -> w.contains(" is deprecated in ")).count(),
                warnings.toString());
        assertTrue(warnings.get(3).startsWith("scheme is HTTP while key and cert files are present"));
    }

    @Test
    void otherFlagsAndVariablesAreIgnored() throws IOException {
        Path file = write("name: fromfile\n");
        ConfigLoader.Start start = Loads.start(
                Map.of("ETCD_DATA_DIR", "/env", "ETCD_NAME", "env"),
                "--config-file",
                file.toString(),
                "--snapshot-count",
                "7");
        assertEquals("fromfile", start.config().name());
        assertEquals(Path.of("fromfile.etcd"), start.config().dataDir());
        assertEquals(10_000, start.config().snapshotCount());
        assertTrue(
                start.warnings().get(0).contains("--snapshot-count"),
                start.warnings().toString());
    }

    @Test
    void theFileMayComeFromTheEnvironment() throws IOException {
        Path file = write("name: viaenv\nlisten-client-urls: http://127.0.0.1:3379\n");
        ServerConfig config =
                Loads.start(Map.of("ETCD_CONFIG_FILE", file.toString())).config();
        assertEquals("viaenv", config.name());
        // Unlike flags, a file that sets listen-client-urls keeps the default advertise URL.
        assertEquals(List.of(URI.create("http://localhost:2379")), config.advertiseClientUrls());
    }

    @Test
    void emptyValuesKeepDefaultsWhereEtcdDoes() throws IOException {
        ServerConfig config = Loads.start(
                        "--config-file",
                        write("initial-cluster-state: ''\nlisten-peer-urls: ''\n")
                                .toString())
                .config();
        assertEquals("new", config.initialClusterState());
        assertEquals(List.of(URI.create("http://localhost:2380")), config.listenPeerUrls());
    }

    @Test
    void unknownKeysDrawWarnings() throws IOException {
        ConfigLoader.Start start = Loads.start(
                "--config-file",
                write("nmae: x\nclient-transport-security:\n  cert-fiel: y\n").toString());
        assertEquals(
                List.of(
                        "unrecognized config file key \"nmae\" ignored",
                        "unrecognized config file key \"client-transport-security.cert-fiel\" ignored"),
                start.warnings());
    }

    @Test
    void badValuesMissingFilesAndBrokenYamlAreErrors() throws IOException {
        assertError(
                "invalid value \"abc\" for config file key \"snapshot-count\": parse error",
                write("snapshot-count: abc\n"));
        assertError(
                "invalid value \"ftp://x:1\" for config file key \"listen-client-urls\"",
                write("listen-client-urls: ftp://x:1\n"));
        assertError("must be a single value", write("name: [a, b]\n"));
        assertError("is not valid YAML", write("name: [unclosed\n"));
        assertError("no such file or directory", dir.resolve("missing.yaml"));
        assertError(
                "flag --discovery-srv=x (from config file key \"discovery-srv\") is not supported",
                write("discovery-srv: x\n"));
    }

    private void assertError(String expected, Path file) {
        ConfigLoader.Exit exit = Loads.exit("--config-file", file.toString());
        assertEquals(1, exit.exitCode());
        assertTrue(exit.stderr().contains(expected), exit.stderr());
    }

    private int files;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("etcd" + (files++) + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
