package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.server.common.Failpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.RocksIterator;

/**
 * A crash at each step of installing a snapshot into the backend leaves, after a restart, the old store or the new
 * one, whole, and nothing of the other (issue 17 item 4).
 */
class SnapshotSwapCrashTest {
    private static final int KEYS = 50;

    @TempDir
    Path dir;

    private Path a;
    private Path b;

    /** Thrown where the process would have died. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String point) {
            super("crash at " + point);
        }
    }

    @BeforeEach
    void checkpoints() throws Exception {
        a = StoreFixtures.checkpointOf(dir.resolve("a"), "a", KEYS, dir.resolve("cp-a"));
        b = StoreFixtures.checkpointOf(dir.resolve("b"), "b", KEYS + 1, dir.resolve("cp-b"));
    }

    @AfterEach
    void disarm() {
        Failpoints.disarmAll();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "snapInstallBeforeStage",
                "snapInstallStaged",
                "snapInstallOpened",
                "snapInstallSwitched",
                "snapInstallSwapped"
            })
    void crashAtEachInstallStepLeavesTheOldStoreOrTheNew(String point) throws Exception {
        boolean switched = point.equals("snapInstallSwitched") || point.equals("snapInstallSwapped");
        Path target = dir.resolve("target");
        try (MvccStore store = MvccStore.open(target)) {
            StoreFixtures.fill(store, "a", KEYS);
            Failpoints.arm(point + "=crash", () -> {
                throw new SimulatedCrash(point);
            });
            assertThrows(SimulatedCrash.class, () -> store.restore(b));
            Failpoints.disarmAll();
        }
        try (MvccStore store = MvccStore.open(target)) {
            List<String> kvs = StoreFixtures.contents(store);
            assertEquals(switched ? KEYS + 1 : KEYS, kvs.size());
            String prefix = switched ? "b" : "a";
            assertTrue(kvs.stream().allMatch(s -> s.startsWith(prefix)), kvs.toString());
            assertEquals(
                    switched ? Set.of("ACTIVE", "gen-1") : generationZeroOnly(target),
                    entries(target),
                    "nothing of the other store is left");
            store.restore(a); // and the next install goes on from there
            assertEquals(KEYS, StoreFixtures.contents(store).size());
        }
        try (MvccStore store = MvccStore.open(target)) {
            assertEquals(KEYS, StoreFixtures.contents(store).size());
            assertEquals(Set.of("ACTIVE", switched ? "gen-2" : "gen-1"), entries(target));
        }
    }

    @Test
    void aReaderPinnedAcrossAnInstallFinishesOnTheOldStoreWhichGoesWhenItIsReleased() throws Exception {
        Path target = dir.resolve("target");
        try (MvccStore store = MvccStore.open(target)) {
            StoreFixtures.fill(store, "a", KEYS);
            RocksBackend backend = store.backend();
            int seen = 0;
            try (RocksBackend.Pin p = backend.pin();
                    RocksIterator it = backend.db().newIterator(backend.keys())) {
                it.seekToFirst();
                // another thread installs meanwhile: it does not wait for this pin
                CompletableFuture.runAsync(() -> {
                            try {
                                store.restore(b);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        })
                        .get();
                assertEquals(0, backend.generation(), "this thread still reads the store it pinned");
                assertTrue(Files.exists(target.resolve("CURRENT")), "the old store stays while it is pinned");
                for (; it.isValid(); it.next()) {
                    assertTrue(new String(it.key(), java.nio.charset.StandardCharsets.UTF_8).contains("a"));
                    seen++;
                }
                it.status();
            }
            assertEquals(KEYS, seen);
            assertEquals(1, backend.generation());
            assertFalse(Files.exists(target.resolve("CURRENT")), "the old store went with its last pin");
            assertEquals(Set.of("ACTIVE", "gen-1"), entries(target));
            assertEquals(KEYS + 1, StoreFixtures.contents(store).size());
        }
    }

    @Test
    void aStoreIsClosedOnlyAfterItsReplacedGenerationIsReleased() throws Exception {
        Path target = dir.resolve("target");
        MvccStore store = MvccStore.open(target);
        StoreFixtures.fill(store, "a", KEYS);
        RocksBackend backend = store.backend();
        RocksBackend.Pin p = backend.pin();
        CompletableFuture.runAsync(() -> {
                    try {
                        store.restore(b);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                })
                .get();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(store::close);
        assertThrows(
                java.util.concurrent.TimeoutException.class,
                () -> closing.get(200, java.util.concurrent.TimeUnit.MILLISECONDS),
                "close waits for the old pin");
        p.close();
        closing.get();
        assertThrows(StoreClosedException.class, backend::pin);
    }

    private static Set<String> entries(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            Set<String> out = new TreeSet<>();
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                out.add(Files.isDirectory(p) ? name : name.equals("ACTIVE") ? name : "file");
            }
            return out;
        }
    }

    /** Only generation 0's files: no ACTIVE, no generation directory. */
    private static Set<String> generationZeroOnly(Path d) {
        return Set.of("file");
    }
}
