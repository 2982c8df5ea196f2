package io.etcdj.server.cli;

import static io.etcdj.server.cli.Loads.config;
import static io.etcdj.server.cli.Loads.exit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line reads as Go's flag package reads it. */
class FlagSyntaxTest {
    @Test
    void separateAndAttachedValuesWithOneOrTwoDashes() {
        for (String[] args : new String[][] {{"--name", "m1"}, {"--name=m1"}, {"-name", "m1"}, {"-name=m1"}}) {
            assertEquals("m1", config(args).name(), String.join(" ", args));
        }
    }

    @Test
    void booleansStandAloneOrTakeAnAttachedValue() {
        assertTrue(config("--force-new-cluster").forceNewCluster());
        assertTrue(config("-force-new-cluster").forceNewCluster());
        assertTrue(config("--force-new-cluster=true").forceNewCluster());
        assertTrue(config("--force-new-cluster=1").forceNewCluster());
        assertFalse(config("--strict-reconfig-check=false").strictReconfigCheck());
        assertFalse(config("-strict-reconfig-check=F").strictReconfigCheck());
        assertEquals("false", config("--strict-reconfig-check=0").rawValues().get("strict-reconfig-check"));
    }

    @Test
    void aBooleanDoesNotSwallowTheNextFlag() {
        ServerConfig config = config("--auto-tls", "--name", "m1");
        assertTrue(config.clientSecurity().autoTls());
        assertEquals("m1", config.name());
    }

    @Test
    void aValueMayStartWithADash() {
        assertEquals("-odd", config("--name", "-odd").name());
        assertEquals(
                "--force-new-cluster", config("--name", "--force-new-cluster").name());
    }

    @Test
    void theLastRepeatWins() {
        assertEquals("b", config("--name", "a", "--name=b").name());
    }

    @Test
    void goNumberSyntax() {
        assertEquals(16, config("--snapshot-count", "0x10").snapshotCount());
        assertEquals(1_000_000, config("--max-request-bytes=1_000_000").maxRequestBytes());
    }

    @Test
    void doubleDashEndsTheFlags() {
        assertEquals("m1", config("--name", "m1", "--").name());
        ConfigLoader.Exit exit = exit("--name", "m1", "--", "--data-dir", "x");
        assertEquals(1, exit.exitCode());
        assertTrue(exit.stderr().contains("'--data-dir' is not a valid flag"), exit.stderr());
    }

    @Test
    void anArgumentThatIsNotAFlagIsRefused() {
        ConfigLoader.Exit exit = exit("--name", "m1", "extra", "--data-dir", "d");
        assertEquals(1, exit.exitCode());
        assertEquals("etcdj: error verifying flags, 'extra' is not a valid flag. See 'etcdj --help'.\n", exit.stderr());
    }

    @Test
    void unknownFlagExitsWithCodeTwoAndNamesIt() {
        ConfigLoader.Exit exit = exit("--name", "m1", "--foo", "bar");
        assertEquals(2, exit.exitCode());
        assertEquals("", exit.stdout());
        assertTrue(exit.stderr().startsWith("flag provided but not defined: -foo\n"), exit.stderr());
        assertTrue(exit.stderr().contains("Usage:"), exit.stderr());
        assertTrue(exit("-foo=1").stderr().startsWith("flag provided but not defined: -foo\n"));
    }

    @Test
    void aMisspelledFlagGetsASuggestion() {
        ConfigLoader.Exit exit = exit("--data-dri", "x");
        assertTrue(exit.stderr().contains("Did you mean --data-dir"), exit.stderr());
    }

    @Test
    void missingAndMalformedValuesReadAsGoReportsThem() {
        assertEquals("flag needs an argument: -name", firstLine(exit("--name")));
        assertEquals(
                "invalid value \"abc\" for flag -snapshot-count: parse error",
                firstLine(exit("--snapshot-count", "abc")));
        assertEquals(
                "invalid value \"-1\" for flag -heartbeat-interval: parse error",
                firstLine(exit("--heartbeat-interval=-1")));
        assertEquals(
                "invalid boolean value \"x\" for -force-new-cluster: parse error",
                firstLine(exit("--force-new-cluster=x")));
        assertEquals(
                "invalid value \"maybe\" for flag -initial-cluster-state: invalid value",
                firstLine(exit("--initial-cluster-state", "maybe")));
        assertEquals(
                "invalid value \"10\" for flag -experimental-watch-progress-notify-interval: parse error (missing unit in duration \"10\")",
                firstLine(exit("--experimental-watch-progress-notify-interval=10")));
        assertEquals("bad flag syntax: ---name", firstLine(exit("---name", "x")));
        for (String[] args : new String[][] {{"--name"}, {"--snapshot-count", "abc"}, {"---name", "x"}}) {
            assertEquals(2, exit(args).exitCode());
        }
    }

    @Test
    void atFilesAreNotExpanded() {
        assertEquals(Path.of("@args"), config("--data-dir", "@args").dataDir());
    }

    @Test
    void legacyFlagsAreIgnoredWithAWarning() {
        ConfigLoader.Start start = Loads.start("-v", "--peer-election-timeout=5");
        assertTrue(
                start.warnings().contains("flag \"-v\" is no longer supported - ignoring."),
                start.warnings().toString());
        assertTrue(start.warnings().contains("flag \"-peer-election-timeout\" is no longer supported - ignoring."));
    }

    @Test
    void etcdsSubcommandsAreRefused() {
        ConfigLoader.Exit exit = exit("grpc-proxy", "start");
        assertEquals(1, exit.exitCode());
        assertTrue(exit.stderr().contains("'grpc-proxy' subcommand is not implemented by etcdj"), exit.stderr());
    }

    private static String firstLine(ConfigLoader.Exit exit) {
        return exit.stderr().lines().findFirst().orElse("");
    }
}
