package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.server.MemberConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdjMainTest {
    static ServerConfig config(String... args) {
        return ((ConfigLoader.Start) ConfigLoader.load(args, Map.of())).config();
    }

    @Test
    void defaultsMapToASingleMember() {
        MemberConfig m = EtcdjMain.toMemberConfig(config());
        assertEquals("default", m.name());
        assertEquals(1, m.initialCluster().size());
        assertEquals(128, m.maxTxnOps());
        assertEquals(1536 * 1024, m.maxRequestBytes());
        assertNull(EtcdjMain.notYetServed(config()));
        assertEquals(2L << 30, m.quotaBackendBytes()); // etcd's default
    }

    @Test
    void theSpaceQuotaIsPassedOnAndANegativeOneMeansNone() {
        assertEquals(
                1000,
                EtcdjMain.toMemberConfig(config("--quota-backend-bytes", "1000"))
                        .quotaBackendBytes());
        assertEquals(
                Long.MAX_VALUE,
                EtcdjMain.toMemberConfig(config("--quota-backend-bytes", "-1")).quotaBackendBytes());
    }

    @Test
    void corruptionChecksAndTheGatewayArePassedOn() {
        MemberConfig defaults = EtcdjMain.toMemberConfig(config());
        assertEquals(false, defaults.initialCorruptCheck());
        assertEquals(java.time.Duration.ZERO, defaults.corruptCheckInterval());
        assertEquals(true, defaults.grpcGateway());
        MemberConfig m = EtcdjMain.toMemberConfig(config(
                "--experimental-initial-corrupt-check",
                "--experimental-corrupt-check-time",
                "2m30s",
                "--enable-grpc-gateway=false"));
        assertEquals(true, m.initialCorruptCheck());
        assertEquals(java.time.Duration.ofSeconds(150), m.corruptCheckInterval());
        assertEquals(false, m.grpcGateway());
    }

    @Test
    void leaseCheckpointsAreOffByDefaultAndTheGateOrTheOldFlagTurnsThemOn() {
        assertEquals(false, EtcdjMain.toMemberConfig(config()).leaseCheckpoint());
        assertEquals(
                true,
                EtcdjMain.toMemberConfig(config("--feature-gates=LeaseCheckpoint=true"))
                        .leaseCheckpoint());
        assertEquals(
                true,
                EtcdjMain.toMemberConfig(config("--experimental-enable-lease-checkpoint"))
                        .leaseCheckpoint());
        assertEquals(
                true,
                EtcdjMain.toMemberConfig(config("--feature-gates=AllAlpha=true,CompactHashCheck=false,"
                                + "SetMemberLocalAddr=false,StopGRPCServiceOnDefrag=false"))
                        .leaseCheckpoint());
    }

    @Test
    void theConsoleIsOnUnlessTurnedOff() {
        assertEquals(true, EtcdjMain.toMemberConfig(config()).console());
        assertEquals(
                false,
                EtcdjMain.toMemberConfig(config("--enable-console=false")).console());
    }

    @Test
    void metricsUrlsAreServed() {
        assertNull(EtcdjMain.notYetServed(config("--listen-metrics-urls", "http://localhost:2381")));
    }

    @Test
    void featuresNotServedYetAreRefusedNotIgnored() {
        for (String[] args : new String[][] {{"--auto-compaction-retention", "1h"}}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> EtcdjMain.toMemberConfig(config(args)));
            assertTrue(e.getMessage().startsWith(args[0]), e.getMessage());
        }
    }
}
