package io.etcdj.server.cli;

import static io.etcdj.server.cli.Loads.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** etcd's start-up checks, and etcdj's refusal of what it does not implement. */
class ValidationTest {
    private static void assertRefused(String expected, String... args) {
        ConfigLoader.Exit exit = Loads.exit(args);
        assertEquals(1, exit.exitCode(), exit.stderr());
        assertTrue(exit.stderr().contains(expected), "expected <" + expected + "> in " + exit.stderr());
    }

    @Test
    void timing() {
        assertRefused(
                "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]",
                "--election-timeout",
                "400");
        assertRefused(
                "--election-timeout[60000ms] is too long, and should be set less than 50000ms",
                "--election-timeout",
                "60000",
                "--heartbeat-interval",
                "1000");
        assertRefused("--heartbeat-interval must be >0 (set to 0ms)", "--heartbeat-interval", "0");
        assertEquals(500, config("--election-timeout", "500").electionTimeoutMs());
    }

    @Test
    void urls() {
        assertRefused(
                "expected IP in URL for binding (http://example.com:2379)",
                "--listen-client-urls",
                "http://example.com:2379",
                "--advertise-client-urls",
                "http://example.com:2379");
        assertRefused(
                "--advertise-client-urls \"http://:2379\" must be \"host:port\" (unexpected empty host (http://:2379))",
                "--advertise-client-urls",
                "http://:2379");
        assertEquals(2, Loads.exit("--listen-peer-urls", "http://127.0.0.1").exitCode());
        assertTrue(
                Loads.exit("--listen-peer-urls", "http://127.0.0.1")
                        .stderr()
                        .startsWith(
                                "invalid value \"http://127.0.0.1\" for flag -listen-peer-urls: URL address does not have the form \"host:port\""));
        assertTrue(Loads.exit("--listen-peer-urls", "http://127.0.0.1:2380/x")
                .stderr()
                .contains("URL must not contain a path"));
        assertEquals(
                List.of(URI.create("http://127.0.0.1:2379"), URI.create("http://[::1]:2379")),
                config(
                                "--listen-client-urls",
                                "http://[::1]:2379,http://127.0.0.1:2379",
                                "--advertise-client-urls",
                                "http://127.0.0.1:2379")
                        .listenClientUrls());
    }

    @Test
    void listeningOnChosenAddressesNeedsAdvertisedOnes() {
        assertRefused(
                "--advertise-client-urls is required when --listen-client-urls is set explicitly",
                "--listen-client-urls",
                "http://127.0.0.1:2379");
    }

    @Test
    void httpsNeedsCertificates() {
        assertRefused(
                "TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:2379 with HTTPS scheme",
                "--listen-client-urls",
                "https://127.0.0.1:2379",
                "--advertise-client-urls",
                "https://127.0.0.1:2379");
        assertRefused(
                "cannot listen on TLS for 127.0.0.1:2380: KeyFile and CertFile are not presented",
                "--listen-peer-urls",
                "https://127.0.0.1:2380",
                "--initial-advertise-peer-urls",
                "https://127.0.0.1:2380",
                "--initial-cluster",
                "default=https://127.0.0.1:2380");
        config(
                "--listen-client-urls",
                "https://127.0.0.1:2379",
                "--advertise-client-urls",
                "https://127.0.0.1:2379",
                "--cert-file",
                "c.pem",
                "--key-file",
                "k.pem");
    }

    @Test
    void initialCluster() {
        assertRefused(
                "error setting up initial cluster: URL scheme must be http, https, unix, or unixs: ",
                "--initial-cluster",
                "default=http://localhost:2380,x");
        ServerConfig twoUrls = config(
                "--initial-cluster",
                "default=http://localhost:2380,default=http://127.0.0.1:2380",
                "--initial-advertise-peer-urls",
                "http://localhost:2380,http://127.0.0.1:2380");
        assertEquals(2, twoUrls.initialCluster().get("default").size());
    }

    @Test
    void theDefaultInitialClusterFollowsTheName() {
        ServerConfig config = config(
                "--name",
                "m1",
                "--initial-advertise-peer-urls",
                "http://127.0.0.1:12380",
                "--listen-peer-urls",
                "http://127.0.0.1:12380");
        assertEquals(List.of("m1"), List.copyOf(config.initialCluster().keySet()));
        assertEquals(
                List.of(URI.create("http://127.0.0.1:12380")),
                config.initialCluster().get("m1"));
        assertEquals("m1=http://127.0.0.1:12380", config.rawValues().get("initial-cluster"));
        assertTrue(BootstrapCheck.problem(config).isEmpty());
    }

    @Test
    void etcdDoesNotRebuildTheDefaultClusterForTheDefaultName() {
        ServerConfig config = config("--initial-advertise-peer-urls", "http://127.0.0.1:12380");
        assertEquals(
                List.of(URI.create("http://localhost:2380")),
                config.initialCluster().get("default"));
        assertEquals(
                "--initial-cluster has default=http://localhost:2380 but missing from"
                        + " --initial-advertise-peer-urls=http://127.0.0.1:12380",
                BootstrapCheck.problem(config).orElseThrow());
    }

    @Test
    void bootstrapChecks() {
        assertEquals(
                "couldn't find local name \"m9\" in the initial cluster configuration",
                BootstrapCheck.problem(config("--name", "m9", "--initial-cluster", "m1=http://localhost:2380"))
                        .orElseThrow());
        assertEquals(
                "initial cluster m1=http://localhost:2380,m2=http://localhost:2380 has duplicate url",
                BootstrapCheck.problem(config(
                                "--name",
                                "m1",
                                "--initial-advertise-peer-urls",
                                "http://localhost:2380",
                                "--initial-cluster",
                                "m1=http://localhost:2380,m2=http://localhost:2380"))
                        .orElseThrow());
        assertEquals(
                "initial cluster unset and no discovery URL found",
                BootstrapCheck.problem(config("--initial-cluster", "")).orElseThrow());
    }

    @Test
    void valuesCheckedAtStart() {
        assertRefused("unknown auto-compaction-mode \"hourly\"", "--auto-compaction-mode", "hourly");
        assertRefused("error parsing CompactionRetention", "--auto-compaction-retention", "1x");
        assertEquals(
                java.time.Duration.ofMinutes(5),
                config("--auto-compaction-retention", "5m").autoCompactionPeriod());
        assertEquals(
                1000,
                config("--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000")
                        .autoCompactionRevisions());
        assertRefused("auth: invalid auth options", "--auth-token", "oauth");
        assertRefused("auth: invalid auth options", "--auth-token", "jwt,ttl");
        assertRefused("unexpected TLS cipher suite \"TLS_NOPE\"", "--cipher-suites", "TLS_NOPE");
        assertRefused("unknown log level \"loud\"", "--log-level", "loud");
        assertRefused("unknown logger option \"log4j\"", "--logger", "log4j");
        assertRefused("multi logoutput for \"default\" is not supported yet", "--log-outputs", "default,stderr");
        assertRefused("--logger=capnslog is removed in v3.5", "--logger", "capnslog");
        assertRefused("is larger than etcdj allows", "--max-request-bytes", "4294967296");
        assertEquals(10_000, config("--snapshot-count", "0").snapshotCount());
    }

    @Test
    void notYetFlagsAreRefusedAwayFromTheirDefault() {
        assertRefused(
                "flag --grpc-keepalive-timeout=5s is not supported by etcdj yet; remove it, or give it etcd's default \"20s\"",
                "--grpc-keepalive-timeout",
                "5s");
        assertRefused("flag --memory-mlock=true is not supported by etcdj yet", "--memory-mlock");
        assertRefused("flag --unsafe-no-fsync=true is not supported by etcdj yet", "--unsafe-no-fsync");
        ConfigLoader.Exit both = Loads.exit("--discovery", "https://d.example/x", "--grpc-keepalive-min-time", "9s");
        assertTrue(both.stderr().contains("--discovery=https://d.example/x"), both.stderr());
        assertTrue(both.stderr().contains("--grpc-keepalive-min-time=9s"), both.stderr());
    }

    @Test
    void notYetFlagsAtTheirDefaultAreFine() {
        config(
                "--grpc-keepalive-timeout",
                "20000ms",
                "--discovery",
                "",
                "--memory-mlock=false",
                "--unsafe-no-fsync=false",
                "--cors",
                "*",
                "--bcrypt-cost",
                "10");
    }

    @Test
    void acceptedFlagsTakeAnyValidValue() {
        ServerConfig config = config(
                "--enable-pprof",
                "--metrics",
                "extensive",
                "--max-wals",
                "0",
                "--backend-batch-interval",
                "10ms",
                "--experimental-compaction-batch-limit",
                "5");
        assertEquals("extensive", config.rawValues().get("metrics"));
        assertEquals("10ms", config.rawValues().get("backend-batch-interval"));
    }

    @Test
    void etcd34OnlyLoggingFlagsAreGoneAsIn36() {
        for (String flag : new String[] {
            "--log-output=stderr",
            "--debug",
            "--log-package-levels=x=INFO",
            "--experimental-backend-bbolt-freelist-type=map",
            "--next-cluster-version-compatible"
        }) {
            ConfigLoader.Exit exit = Loads.exit(flag);
            assertEquals(2, exit.exitCode(), flag);
            assertTrue(exit.stderr().startsWith("flag provided but not defined: -"), exit.stderr());
        }
    }

    @Test
    void new36FlagsAreAcceptedAtTheirDefaults() {
        config(
                "--log-format=console",
                "--tls-min-version=TLS1.2",
                "--discovery-dial-timeout=3s",
                "--listen-client-http-urls=");
        assertRefused("flag --tls-min-version=TLS1.3 is not supported by etcdj yet", "--tls-min-version=TLS1.3");
        ConfigLoader.Exit bad = Loads.exit("--log-format=xml");
        assertEquals(2, bad.exitCode());
    }

    @Test
    void unusablePathsAreRefusedNotThrown() {
        assertRefused("--data-dir \"a\u0000b\" is not a usable path", "--data-dir", "a\u0000b");
        assertRefused("--config-file \"a\u0000b\" is not a usable path", "--config-file", "a\u0000b");
    }

    @Test
    void theV2ApiFlagIsGoneAsIn36() {
        ConfigLoader.Exit exit = Loads.exit("--enable-v2");
        assertEquals(2, exit.exitCode());
        assertTrue(exit.stderr().startsWith("flag provided but not defined: -enable-v2\n"), exit.stderr());
        // etcd 3.6 warns about a variable it does not know, and starts
        ConfigLoader.Start start = Loads.start(Map.of("ETCD_ENABLE_V2", "true"));
        assertTrue(
                start.warnings().stream().anyMatch(w -> w.contains("ETCD_ENABLE_V2")),
                start.warnings().toString());
    }
}
