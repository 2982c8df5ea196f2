package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** etcd 3.6's --feature-gates: parsing, errors, the experimental flags that still set gates, and their checks. */
class FeatureGatesTest {
    private static FeatureGates gates(String... args) {
        return FeatureGates.parse(Loads.config(args).rawValues().get("feature-gates"));
    }

    private static void assertUsageError(String expected, String value) {
        ConfigLoader.Exit exit = Loads.exit("--feature-gates", value);
        assertEquals(2, exit.exitCode());
        assertTrue(exit.stderr().startsWith(expected + "\n"), exit.stderr());
    }

    private static void assertRefused(String expected, String... args) {
        ConfigLoader.Exit exit = Loads.exit(args);
        assertEquals(1, exit.exitCode(), exit.stderr());
        assertTrue(exit.stderr().contains(expected), "expected <" + expected + "> in " + exit.stderr());
    }

    @Test
    void defaultsAreEtcds() {
        FeatureGates g = gates();
        assertFalse(g.enabled(FeatureGates.INITIAL_CORRUPT_CHECK));
        assertFalse(g.enabled(FeatureGates.LEASE_CHECKPOINT));
        assertTrue(g.enabled(FeatureGates.TXN_MODE_WRITE_WITH_SHARED_BUFFER));
        assertFalse(Loads.config().experimentalInitialCorruptCheck());
    }

    @Test
    void aGateReachesTheMember() {
        assertTrue(Loads.config("--feature-gates=InitialCorruptCheck=true").experimentalInitialCorruptCheck());
        assertTrue(Loads.config("--experimental-initial-corrupt-check").experimentalInitialCorruptCheck());
        FeatureGates g = gates("--feature-gates", " LeaseCheckpoint = true ,LeaseCheckpointPersist=1,");
        assertTrue(g.enabled(FeatureGates.LEASE_CHECKPOINT));
        assertTrue(g.enabled(FeatureGates.LEASE_CHECKPOINT_PERSIST));
        assertTrue(Loads.start(Map.of("ETCD_FEATURE_GATES", "InitialCorruptCheck=true"))
                .config()
                .experimentalInitialCorruptCheck());
    }

    @Test
    void badListsFailAsGosFlagParsing() {
        assertUsageError(
                "invalid value \"Nope=true\" for flag -feature-gates: unrecognized feature gate: Nope", "Nope=true");
        assertUsageError(
                "invalid value \"LeaseCheckpoint\" for flag -feature-gates: missing bool value for"
                        + " LeaseCheckpoint",
                "LeaseCheckpoint");
        assertUsageError(
                "invalid value \"LeaseCheckpoint=maybe\" for flag -feature-gates: invalid value of"
                        + " LeaseCheckpoint=maybe, err: strconv.ParseBool: parsing \"maybe\": invalid syntax",
                "LeaseCheckpoint=maybe");
    }

    @Test
    void allAlphaSetsEveryAlphaGateNotNamed() {
        FeatureGates g = FeatureGates.parse("InitialCorruptCheck=false,AllAlpha=true");
        assertTrue(g.enabled(FeatureGates.LEASE_CHECKPOINT));
        assertTrue(g.enabled(FeatureGates.COMPACT_HASH_CHECK));
        assertFalse(g.enabled(FeatureGates.INITIAL_CORRUPT_CHECK), "a named gate wins over AllAlpha");
        assertTrue(g.enabled(FeatureGates.TXN_MODE_WRITE_WITH_SHARED_BUFFER), "a beta gate is not alpha");
        assertFalse(FeatureGates.parse("AllBeta=false").enabled(FeatureGates.TXN_MODE_WRITE_WITH_SHARED_BUFFER));
    }

    @Test
    void experimentalFlagAndItsGateTogetherFail() {
        assertRefused(
                "cannot specify both flags: --experimental-initial-corrupt-check=true and"
                        + " --feature-gates=InitialCorruptCheck=false at the same time, please just use"
                        + " --feature-gates=InitialCorruptCheck=false",
                "--experimental-initial-corrupt-check=true",
                "--feature-gates=InitialCorruptCheck=false");
        // etcd matches the gate's name anywhere in the list
        assertRefused(
                "cannot specify both flags: --experimental-enable-lease-checkpoint=true and"
                        + " --feature-gates=LeaseCheckpoint=false",
                "--experimental-enable-lease-checkpoint=true",
                "--feature-gates=LeaseCheckpointPersist=false");
    }

    @Test
    void gateChecksAsEtcds() {
        assertRefused(
                "enabling feature gate LeaseCheckpointPersist requires enabling feature gate LeaseCheckpoint",
                "--feature-gates=LeaseCheckpointPersist=true");
        ConfigLoader.Start start = Loads.start("--experimental-enable-lease-checkpoint");
        assertTrue(
                start.warnings()
                        .contains("Detected that checkpointing is enabled without persistence. Consider"
                                + " enabling feature gate LeaseCheckpointPersist"),
                start.warnings().toString());
        assertRefused(
                "feature gate CompactHashCheck=true is not supported by etcdj yet",
                "--experimental-compact-hash-check-enabled");
        assertRefused(
                "feature gate StopGRPCServiceOnDefrag=true is not supported by etcdj yet",
                "--feature-gates=AllAlpha=true");
    }
}
