package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ETCD_* variables, read as etcd reads them. */
class EnvironmentTest {
    @Test
    void variablesSetTheirFlags() {
        ConfigLoader.Start start = Loads.start(Map.of(
                "ETCD_NAME", "m1",
                "ETCD_DATA_DIR", "/var/lib/m1",
                "ETCD_INITIAL_CLUSTER", "m1=http://127.0.0.1:2380,m2=http://127.0.0.2:2380",
                "ETCD_INITIAL_ADVERTISE_PEER_URLS", "http://127.0.0.1:2380",
                "ETCD_STRICT_RECONFIG_CHECK", "0",
                "ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL", "5s"));
        ServerConfig config = start.config();
        assertEquals("m1", config.name());
        assertEquals(Path.of("/var/lib/m1"), config.dataDir());
        assertEquals(List.of("m1", "m2"), List.copyOf(config.initialCluster().keySet()));
        assertEquals(
                List.of(URI.create("http://127.0.0.2:2380")),
                config.initialCluster().get("m2"));
        assertEquals(false, config.strictReconfigCheck());
        assertEquals(java.time.Duration.ofSeconds(5), config.watchProgressNotifyInterval());
        assertTrue(
                start.infos().contains("recognized and used environment variable ETCD_NAME=m1"),
                start.infos().toString());
    }

    @Test
    void aVariableForAFlagAlsoOnTheCommandLineIsFatal() {
        ConfigLoader.Exit exit = Loads.exit(Map.of("ETCD_NAME", "x"), "--name", "y");
        assertEquals(1, exit.exitCode());
        assertTrue(
                exit.stderr()
                        .contains("conflicting environment variable \"ETCD_NAME\" is shadowed by corresponding"
                                + " command-line flag (either unset environment variable or disable flag)"),
                exit.stderr());
    }

    @Test
    void commandLineAndEnvironmentCombineForDifferentFlags() {
        ServerConfig config =
                Loads.start(Map.of("ETCD_DATA_DIR", "/d"), "--name", "y").config();
        assertEquals("y", config.name());
        assertEquals(Path.of("/d"), config.dataDir());
    }

    @Test
    void emptyAndUnknownVariablesDrawWarnings() {
        ConfigLoader.Start start = Loads.start(Map.of("ETCD_FOO", "1", "ETCD_NAME", "", "PATH", "/bin"));
        assertEquals("default", start.config().name());
        assertTrue(
                start.warnings().contains("unrecognized environment variable ETCD_FOO=1"),
                start.warnings().toString());
        assertTrue(
                start.warnings().contains("unrecognized environment variable ETCD_NAME="),
                start.warnings().toString());
        assertEquals(2, start.warnings().size(), start.warnings().toString());
    }

    @Test
    void anInvalidValueNamesTheVariable() {
        ConfigLoader.Exit exit = Loads.exit(Map.of("ETCD_SNAPSHOT_COUNT", "abc"));
        assertEquals(1, exit.exitCode());
        assertTrue(exit.stderr().contains("invalid value \"abc\" for ETCD_SNAPSHOT_COUNT: parse error"), exit.stderr());
    }

    @Test
    void etcdVersionIsNeverReadAsTheVersionFlag() {
        ConfigLoader.Start start = Loads.start(Map.of("ETCD_VERSION", "3.5.9"));
        assertTrue(
                start.warnings().get(0).contains("ETCD_VERSION=3.5.9"),
                start.warnings().toString());
    }

    @Test
    void aNotYetFlagFromTheEnvironmentNamesTheVariable() {
        ConfigLoader.Exit exit = Loads.exit(Map.of("ETCD_DISCOVERY_SRV", "example.com"));
        assertEquals(1, exit.exitCode());
        assertTrue(
                exit.stderr()
                        .contains(
                                "--discovery-srv=example.com (from ETCD_DISCOVERY_SRV) is not supported by etcdj yet"),
                exit.stderr());
    }

    @Test
    void listenClientUrlsFromTheEnvironmentAlsoNeedAdvertiseClientUrls() {
        ConfigLoader.Exit exit = Loads.exit(Map.of("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:3379"));
        assertTrue(
                exit.stderr()
                        .contains("--advertise-client-urls is required when --listen-client-urls is set explicitly"),
                exit.stderr());
    }
}
