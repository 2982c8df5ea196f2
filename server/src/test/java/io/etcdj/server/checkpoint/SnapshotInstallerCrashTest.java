package io.etcdj.server.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.StoreFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A crash at any step of installing a leader's snapshot, then a restart that runs {@link SnapshotInstaller#recover}
 * (as the server's start does), leaves the new store with its snapshot position, and no marker or checkpoint behind
 * (issue 17 items 4 and 8).
 */
class SnapshotInstallerCrashTest {
    private static final long INDEX = 700;
    private static final long TERM = 3;

    @TempDir
    Path dir;

    private Path leaderCheckpoint;
    private Path store;
    private Path snapDir;

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String point) {
            super("crash at " + point);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        leaderCheckpoint = StoreFixtures.checkpointOf(dir.resolve("leader"), "new", 20, dir.resolve("cp"));
        store = dir.resolve("member").resolve("db");
        snapDir = dir.resolve("member").resolve("snap");
        Files.createDirectories(snapDir);
        try (MvccStore s = MvccStore.open(store)) {
            StoreFixtures.fill(s, "old", 10);
        }
    }

    @AfterEach
    void disarm() {
        Failpoints.disarmAll();
    }

    /** The leader's snapshot as received: a directory of files in the snapshot directory. */
    private Path received() throws IOException {
        Path in = Files.createTempDirectory(snapDir, Checkpoints.INCOMING_PREFIX);
        try (Stream<Path> s = Files.list(leaderCheckpoint)) {
            for (Path f : s.toList()) {
                Files.copy(f, in.resolve(f.getFileName()));
            }
        }
        return in;
    }

    private void installCrashingAt(String point, Path in) throws Exception {
        try (MvccStore s = MvccStore.open(store)) {
            Failpoints.arm(point + "=crash", () -> {
                throw new SimulatedCrash(point);
            });
            assertThrows(SimulatedCrash.class, () -> SnapshotInstaller.install(s, snapDir, in, INDEX, TERM));
            Failpoints.disarmAll();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "snapInstallMarkerWritten",
                "snapInstallBeforeStage",
                "snapInstallStaged",
                "snapInstallOpened",
                "snapInstallSwitched",
                "snapInstallSwapped",
                "snapInstallRecorded",
                "snapInstallMarkerDeleted"
            })
    void aCrashAtAnyStepEndsWithTheNewStoreAfterRestart(String point) throws Exception {
        installCrashingAt(point, received());
        restartAndCheck();
    }

    @Test
    void anInstallWithoutCrashLeavesNothingBehind() throws Exception {
        Path in = received();
        try (MvccStore s = MvccStore.open(store)) {
            SnapshotInstaller.install(s, snapDir, in, INDEX, TERM);
            assertInstalled(s);
        }
        assertEquals(List.of(), names(snapDir));
    }

    /**
     * What a file system that made the checkpoint's deletion durable before the marker's would leave (the order
     * the installer now syncs for): the store is complete and recorded; the start finishes instead of failing.
     */
    @Test
    void aMarkerOutlivingItsCheckpointIsFinishedWhenTheStoreHoldsTheSnapshot() throws Exception {
        Path in = received();
        try (MvccStore s = MvccStore.open(store)) {
            SnapshotInstaller.install(s, snapDir, in, INDEX, TERM);
        }
        Files.writeString(snapDir.resolve(SnapshotInstaller.MARKER), in.getFileName() + " " + INDEX + " " + TERM);
        restartAndCheck();
    }

    @Test
    void aMarkerWhoseCheckpointIsGoneBeforeTheStoreHoldsItSaysWhatToDo() throws Exception {
        Path in = received();
        installCrashingAt("snapInstallMarkerWritten", in);
        Checkpoints.deleteRecursively(in);
        try (MvccStore s = MvccStore.open(store)) {
            IOException e = assertThrows(IOException.class, () -> SnapshotInstaller.recover(s, snapDir));
            assertTrue(e.getMessage().contains("remove this member and add it back"), e.getMessage());
        }
    }

    private void restartAndCheck() throws Exception {
        try (MvccStore s = MvccStore.open(store)) {
            SnapshotInstaller.recover(s, snapDir);
            Checkpoints.open(snapDir, null); // as the start does: leftovers of interrupted work go
            assertInstalled(s);
        }
        assertEquals(List.of(), names(snapDir), "no marker and no checkpoint left");
        try (MvccStore s = MvccStore.open(store)) {
            assertInstalled(s);
        }
    }

    private static void assertInstalled(MvccStore s) throws Exception {
        List<String> kvs = StoreFixtures.contents(s);
        assertEquals(20, kvs.size());
        assertTrue(kvs.stream().allMatch(k -> k.startsWith("new")), kvs.toString());
        SnapshotMetadata m = SnapshotInstaller.installed(s);
        assertEquals(INDEX, m.index());
        assertEquals(TERM, m.term());
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
