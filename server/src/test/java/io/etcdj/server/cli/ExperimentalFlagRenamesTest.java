package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd 3.6's names for the formerly experimental value flags, with the old names still accepted. */
class ExperimentalFlagRenamesTest {
    @TempDir
    Path dir;

    @Test
    void bothSpellingsReachTheMember() {
        assertEquals(
                Duration.ofSeconds(3),
                Loads.config("--watch-progress-notify-interval=3s").watchProgressNotifyInterval());
        assertEquals(
                Duration.ofSeconds(4),
                Loads.config("--experimental-watch-progress-notify-interval=4s").watchProgressNotifyInterval());
        assertEquals(
                Duration.ofMinutes(2), Loads.config("--corrupt-check-time=2m").corruptCheckTime());
        assertEquals(
                Duration.ofMinutes(3),
                Loads.config("--experimental-corrupt-check-time=3m").corruptCheckTime());
        assertEquals(
                Duration.ofMinutes(5),
                Loads.start(Map.of("ETCD_EXPERIMENTAL_CORRUPT_CHECK_TIME", "5m"))
                        .config()
                        .corruptCheckTime());
    }

    @Test
    void everyOldNameHasItsNewOne() {
        FlagMigrations.RENAMED.forEach((old, current) -> {
            assertTrue(FlagTable.find(old).isPresent(), old);
            FlagDef def = FlagTable.find(current).orElseThrow(() -> new AssertionError(current));
            assertEquals(FlagTable.get(old).defaultValue(), def.defaultValue(), current);
            assertEquals(FlagTable.get(old).status(), def.status(), current);
        });
    }

    @Test
    void givingBothSpellingsFails() {
        ConfigLoader.Exit exit = Loads.exit("--experimental-compaction-batch-limit=5", "--compaction-batch-limit=6");
        assertEquals(1, exit.exitCode());
        assertTrue(
                exit.stderr()
                        .contains(
                                "cannot set --experimental-compaction-batch-limit and"
                                        + " --compaction-batch-limit at the same time, please use --compaction-batch-limit only"),
                exit.stderr());
        ConfigLoader.Exit unary =
                Loads.exit("--experimental-warning-unary-request-duration=1s", "--warning-unary-request-duration=2s");
        assertTrue(
                unary.stderr()
                        .contains(
                                "both --experimental-warning-unary-request-duration and"
                                        + " --warning-unary-request-duration flags are set. Use only --warning-unary-request-duration"),
                unary.stderr());
    }

    @Test
    void aNotYetFeatureIsRefusedOnceUnderItsNewName() {
        ConfigLoader.Exit exit = Loads.exit("--experimental-memory-mlock");
        assertEquals(1, exit.exitCode());
        assertTrue(
                exit.stderr()
                        .contains("flag --memory-mlock=true (from --experimental-memory-mlock) is not"
                                + " supported by etcdj yet"),
                exit.stderr());
    }

    @Test
    void theConfigFileTakesBothSpellings() throws IOException {
        Path file = dir.resolve("etcd.yaml");
        Files.writeString(
                file, "experimental-watch-progress-notify-interval: 7s\nfeature-gates: InitialCorruptCheck=true\n");
        ServerConfig config = Loads.config("--config-file", file.toString());
        assertEquals(Duration.ofSeconds(7), config.watchProgressNotifyInterval());
        assertTrue(config.experimentalInitialCorruptCheck());
    }

    @Test
    void deprecatedFlagsAreWarnedAbout() {
        ConfigLoader.Start start = Loads.start("--snapshot-count=5", "--experimental-corrupt-check-time=1m");
        assertTrue(
                start.warnings().contains("--snapshot-count is deprecated in 3.6 and will be decommissioned in 3.7."),
                start.warnings().toString());
        assertTrue(
                start.warnings()
                        .contains("--experimental-corrupt-check-time is deprecated in v3.6 and will be"
                                + " decommissioned in v3.7. Use '--corrupt-check-time' instead."),
                start.warnings().toString());
        assertTrue(Loads.start("--corrupt-check-time=1m").warnings().stream().noneMatch(w -> w.contains("deprecated")));
    }

    @Test
    void v36Defaults() {
        ServerConfig config = Loads.config();
        assertEquals(10_000, config.snapshotCount());
        assertEquals("5000", config.rawValues().get("snapshot-catchup-entries"));
        assertEquals("1", config.rawValues().get("max-learners"));
    }
}
