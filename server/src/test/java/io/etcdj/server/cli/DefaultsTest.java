package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no flags at all, every value is etcd 3.5's default. */
class DefaultsTest {
    private final ConfigLoader.Start start = Loads.start();
    private final ServerConfig config = start.config();

    @Test
    void memberAndClusteringDefaults() {
        assertEquals("default", config.name());
        assertEquals(Path.of("default.etcd"), config.dataDir());
        assertNull(config.walDir());
        assertEquals(Path.of("default.etcd", "member", "wal"), config.walDirOrDefault());
        assertEquals(List.of(URI.create("http://localhost:2379")), config.listenClientUrls());
        assertEquals(List.of(URI.create("http://localhost:2379")), config.advertiseClientUrls());
        assertEquals(List.of(URI.create("http://localhost:2380")), config.listenPeerUrls());
        assertEquals(List.of(URI.create("http://localhost:2380")), config.initialAdvertisePeerUrls());
        assertEquals(List.of(), config.listenMetricsUrls());
        assertEquals(Map.of("default", List.of(URI.create("http://localhost:2380"))), config.initialCluster());
        assertEquals("etcd-cluster", config.initialClusterToken());
        assertEquals("new", config.initialClusterState());
        assertTrue(config.isNewCluster());
    }

    @Test
    void tuningDefaults() {
        assertEquals(10_000, config.snapshotCount()); // etcd 3.6's default
        assertEquals(100, config.heartbeatIntervalMs());
        assertEquals(1000, config.electionTimeoutMs());
        assertEquals(10, config.electionTicks());
        assertEquals(0, config.quotaBackendBytes());
        assertEquals(2L * 1024 * 1024 * 1024, config.effectiveQuotaBackendBytes());
        assertEquals(128, config.maxTxnOps());
        assertEquals(1_572_864, config.maxRequestBytes());
        assertEquals(4_294_967_295L, config.maxConcurrentStreams());
        assertEquals(Duration.ofMinutes(10), config.watchProgressNotifyInterval());
        assertEquals("periodic", config.autoCompactionMode());
        assertEquals("0", config.autoCompactionRetention());
        assertEquals(Duration.ZERO, config.autoCompactionPeriod());
    }

    @Test
    void behaviourDefaults() {
        assertEquals("simple", config.authToken());
        assertTrue(config.strictReconfigCheck());
        assertTrue(config.preVote());
        assertFalse(config.forceNewCluster());
        assertFalse(config.experimentalInitialCorruptCheck());
        assertTrue(config.enableGrpcGateway());
        assertEquals("zap", config.logger());
        assertEquals("info", config.logLevel());
        assertEquals(List.of("default"), config.logOutputs());
        assertEquals(List.of(), config.cipherSuites());
        assertEquals(TlsConfig.NONE, config.clientSecurity());
        assertEquals(TlsConfig.NONE, config.peerSecurity());
    }

    @Test
    void rawValuesHoldEveryFlagWithDerivedValuesFilledIn() {
        assertEquals(FlagTable.all().size(), config.rawValues().size());
        assertEquals("default.etcd", config.rawValues().get("data-dir"));
        assertEquals("5", config.rawValues().get("max-snapshots"));
        assertEquals("2h", config.rawValues().get("grpc-keepalive-interval"));
        assertEquals("write-only", config.rawValues().get("v2-deprecation"));
    }

    @Test
    void aDefaultStartHasNoWarnings() {
        assertEquals(List.of(), start.warnings());
    }
}
