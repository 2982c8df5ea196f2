package io.etcdj.server.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcdj.server.common.Failpoints;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.StoreFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader's checkpoints (made to send snapshots) after a crash at each of their steps (issue 17). */
class CheckpointsCrashTest {
    @TempDir
    Path dir;

    static final class SimulatedCrash extends RuntimeException {}

    @AfterEach
    void disarm() {
        Failpoints.disarmAll();
    }

    private static void arm(String point) {
        Failpoints.arm(point + "=crash", () -> {
            throw new SimulatedCrash();
        });
    }

    @Test
    void aCrashBeforeACheckpointIsPublishedLeavesNoneAndNoDebris() throws Exception {
        Path snap = dir.resolve("snap");
        try (MvccStore store = MvccStore.open(dir.resolve("db"))) {
            StoreFixtures.fill(store, "k", 5);
            Checkpoints c = Checkpoints.open(snap, null);
            arm("checkpointCreated");
            assertThrows(SimulatedCrash.class, () -> c.create(store, 6, 2));
        }
        Failpoints.disarmAll();
        assertNull(Checkpoints.open(snap, null).latest());
        assertEquals(List.of(), names(snap));
    }

    @Test
    void aCrashOnceACheckpointIsPublishedKeepsIt() throws Exception {
        Path snap = dir.resolve("snap");
        try (MvccStore store = MvccStore.open(dir.resolve("db"))) {
            StoreFixtures.fill(store, "k", 5);
            Checkpoints c = Checkpoints.open(snap, null);
            arm("checkpointPublished");
            assertThrows(SimulatedCrash.class, () -> c.create(store, 6, 2));
        }
        Failpoints.disarmAll();
        assertEquals(6, Checkpoints.open(snap, null).latest().index());
        assertEquals(List.of("6-2"), names(snap));
    }

    @Test
    void aCrashWhenATransferReleasesOrPrunesACheckpointLeavesTheNewestIntact() throws Exception {
        Path snap = dir.resolve("snap");
        try (MvccStore store = MvccStore.open(dir.resolve("db"))) {
            StoreFixtures.fill(store, "k", 5);
            Checkpoints c = Checkpoints.open(snap, null);
            c.create(store, 6, 2);
            Checkpoints.Snapshot sending = c.acquire(6);
            c.create(store, 7, 2);
            arm("checkpointDeleted");
            c.create(store, 8, 2); // 6 is in use: kept
            Failpoints.disarmAll();
            arm("checkpointRelease");
            assertThrows(SimulatedCrash.class, () -> c.release(sending));
        }
        Failpoints.disarmAll();
        Checkpoints reopened = Checkpoints.open(snap, null);
        assertEquals(8, reopened.latest().index());
        try (MvccStore store = MvccStore.open(dir.resolve("db"))) {
            arm("checkpointDeleted");
            assertThrows(SimulatedCrash.class, () -> reopened.create(store, 9, 2)); // pruning 6 (and 7) crashes
        }
        Failpoints.disarmAll();
        assertEquals(9, Checkpoints.open(snap, null).latest().index());
    }

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
