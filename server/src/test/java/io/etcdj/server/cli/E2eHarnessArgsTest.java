package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Argument lists as etcd's e2e harness (tests/e2e/cluster_test.go, etcd_config_test.go,
 * ctl_v3_snapshot_test.go) builds them for member 0 of a three-member cluster.
 */
class E2eHarnessArgsTest {
    private static final String CERTS = "/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures";
    private static final String CLUSTER_HTTP =
            "testname0=http://localhost:20001,testname1=http://localhost:20006,testname2=http://localhost:20011";
    private static final String CLUSTER_HTTPS =
            "testname0=https://localhost:20001,testname1=https://localhost:20006,testname2=https://localhost:20011";

    private static List<String> base(String clientUrls, String peerUrl) {
        return new ArrayList<>(List.of(
                "--name",
                "testname0",
                "--listen-client-urls",
                clientUrls,
                "--advertise-client-urls",
                clientUrls,
                "--listen-peer-urls",
                peerUrl,
                "--initial-advertise-peer-urls",
                peerUrl,
                "--initial-cluster-token",
                "new",
                "--data-dir",
                "/tmp/testname0.etcd123456",
                "--snapshot-count",
                "100000"));
    }

    private static ServerConfig load(List<String> args) {
        return Loads.config(args.toArray(String[]::new));
    }

    @Test
    void plainCluster() {
        List<String> args = base("http://localhost:20000", "http://localhost:20001");
        args.addAll(List.of("--initial-cluster", CLUSTER_HTTP));
        ServerConfig config = load(args);
        assertEquals("testname0", config.name());
        assertEquals(Path.of("/tmp/testname0.etcd123456"), config.dataDir());
        assertEquals(3, config.initialCluster().size());
        assertEquals(
                List.of(URI.create("http://localhost:20006")),
                config.initialCluster().get("testname1"));
        assertEquals("new", config.initialClusterToken());
        assertTrue(BootstrapCheck.problem(config).isEmpty());
    }

    @Test
    void clientAndPeerTlsWithEveryOption() {
        List<String> args = base("http://localhost:20000,https://localhost:20000", "https://localhost:20001");
        args.addAll(List.of(
                "--force-new-cluster",
                "--quota-backend-bytes",
                "53248",
                "--strict-reconfig-check=false",
                "--experimental-initial-corrupt-check",
                "--listen-metrics-urls",
                "https://localhost:20002",
                "--cert-file",
                CERTS + "/server.crt",
                "--key-file",
                CERTS + "/server.key.insecure",
                "--trusted-ca-file",
                CERTS + "/ca.crt",
                "--client-cert-auth",
                "--peer-cert-file",
                CERTS + "/server.crt",
                "--peer-key-file",
                CERTS + "/server.key.insecure",
                "--peer-trusted-ca-file",
                CERTS + "/ca.crt",
                "--client-crl-file",
                CERTS + "/revoke.crl",
                "--client-cert-auth",
                "--cipher-suites",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
                        + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
                        + "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                "--auth-token",
                "jwt,pub-key=../../integration/fixtures/server.crt,"
                        + "priv-key=../../integration/fixtures/server.key.insecure,sign-method=RS256,ttl=1s",
                "--max-concurrent-streams",
                "3",
                "--initial-cluster",
                CLUSTER_HTTPS));
        ServerConfig config = load(args);
        assertTrue(config.forceNewCluster());
        assertEquals(53248, config.quotaBackendBytes());
        assertEquals(false, config.strictReconfigCheck());
        assertTrue(config.experimentalInitialCorruptCheck());
        assertEquals(List.of(URI.create("https://localhost:20002")), config.listenMetricsUrls());
        assertEquals(
                new TlsConfig(
                        Path.of(CERTS, "server.crt"),
                        Path.of(CERTS, "server.key.insecure"),
                        Path.of(CERTS, "ca.crt"),
                        true,
                        false,
                        Path.of(CERTS, "revoke.crl"),
                        null,
                        null),
                config.clientSecurity());
        assertEquals(Path.of(CERTS, "server.crt"), config.peerSecurity().certFile());
        assertEquals(6, config.cipherSuites().size());
        assertTrue(config.authToken().startsWith("jwt,"));
        assertEquals(3, config.maxConcurrentStreams());
        assertTrue(BootstrapCheck.problem(config).isEmpty());
    }

    @Test
    void autoTls() {
        List<String> args = base("https://localhost:20000", "https://localhost:20001");
        args.addAll(List.of("--auto-tls", "--peer-auto-tls", "--initial-cluster", CLUSTER_HTTPS));
        ServerConfig config = load(args);
        assertTrue(config.clientSecurity().autoTls());
        assertTrue(config.peerSecurity().autoTls());
    }

    @Test
    void multiPeerOnAnyAddress() {
        ServerConfig config = Loads.config(
                "--name",
                "e0",
                "--listen-client-urls",
                "http://0.0.0.0:0",
                "--data-dir",
                "/tmp/e0.etcd1",
                "--advertise-client-urls",
                "http://0.0.0.0:0",
                "--listen-peer-urls",
                "http://127.0.0.1:20000,http://127.0.0.1:20003",
                "--initial-advertise-peer-urls",
                "http://127.0.0.1:20000",
                "--initial-cluster",
                "e0=http://127.0.0.1:20000,e1=http://127.0.0.1:20001,e2=http://127.0.0.1:20002");
        assertEquals(2, config.listenPeerUrls().size());
        assertTrue(BootstrapCheck.problem(config).isEmpty());
    }

    @Test
    void unixSocketPeers() {
        ServerConfig config = Loads.config(
                "--data-dir",
                "/tmp/e1.etcd1",
                "--name",
                "e1",
                "--listen-peer-urls",
                "unix://etcd.unix:1",
                "--initial-advertise-peer-urls",
                "unix://etcd.unix:1",
                "--initial-cluster",
                "e1=unix://etcd.unix:1");
        assertEquals(List.of(URI.create("unix://etcd.unix:1")), config.listenPeerUrls());
        assertTrue(BootstrapCheck.problem(config).isEmpty());
    }

    @Test
    void peerCertificateNameChecks() {
        ServerConfig config = Loads.config(
                "--name",
                "e0",
                "--listen-client-urls",
                "http://0.0.0.0:0",
                "--data-dir",
                "/tmp/e0.etcd2",
                "--advertise-client-urls",
                "http://0.0.0.0:0",
                "--listen-peer-urls",
                "https://127.0.0.1:20000,https://127.0.0.1:20003",
                "--initial-advertise-peer-urls",
                "https://127.0.0.1:20000",
                "--initial-cluster",
                "e0=https://127.0.0.1:20000,e1=https://127.0.0.1:20001",
                "--peer-cert-file",
                CERTS + "/server.crt",
                "--peer-key-file",
                CERTS + "/server.key.insecure",
                "--peer-trusted-ca-file",
                CERTS + "/ca.crt",
                "--peer-client-cert-auth",
                "--peer-cert-allowed-cn",
                "example.com",
                "--peer-cert-allowed-hostname",
                "localhost");
        assertEquals("example.com", config.peerSecurity().allowedCn());
        assertEquals("localhost", config.peerSecurity().allowedHostname());
        assertTrue(config.peerSecurity().clientCertAuth());
    }

    @Test
    void joiningAfterASnapshotRestore() {
        ServerConfig config = Loads.config(
                "--name",
                "m2",
                "--listen-client-urls",
                "http://localhost:20020",
                "--advertise-client-urls",
                "http://localhost:20020",
                "--listen-peer-urls",
                "http://localhost:20021",
                "--initial-advertise-peer-urls",
                "http://localhost:20021",
                "--initial-cluster",
                CLUSTER_HTTP + ",m2=http://localhost:20021",
                "--initial-cluster-state",
                "existing",
                "--data-dir",
                "/tmp/m2.etcd");
        assertEquals(false, config.isNewCluster());
        assertTrue(BootstrapCheck.problem(config).isEmpty());
    }
}
