package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installing a leader's snapshot while readers read: every read sees entirely the store before or entirely the
 * store after, never a mix (issue 17 item 4).
 */
class SnapshotSwapTest {
    private static final int KEYS = 2000;
    private static final int RESTORES = 20;

    @TempDir
    Path dir;

    @Test
    void readersSeeTheOldStoreOrTheNewNeverAMix() throws Exception {
        // the same number of revisions on both sides: a range reads the store's revision before it pins the
        // database, and these stores agree on it, so any mix a reader sees comes from the database alone
        Path a = StoreFixtures.checkpointOf(dir.resolve("a"), "a", KEYS, dir.resolve("cp-a"));
        Path b = StoreFixtures.checkpointOf(dir.resolve("b"), "b", KEYS, dir.resolve("cp-b"));
        try (MvccStore store = MvccStore.open(dir.resolve("target"))) {
            store.restore(b);
            int allB = StoreHash.all(store);
            int kvB = StoreHash.kv(store, 0).hash();
            store.restore(a);
            int allA = StoreHash.all(store);
            int kvA = StoreHash.kv(store, 0).hash();
            assertTrue(allA != allB && kvA != kvB);

            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> mixes = new ConcurrentLinkedQueue<>();
            AtomicLong rangeReads = new AtomicLong();
            AtomicLong hashReads = new AtomicLong();
            Thread ranges = Thread.ofPlatform().name("ranges").start(() -> {
                while (!stop.get()) {
                    try {
                        List<String> kvs = StoreFixtures.contents(store);
                        if (!wholly(kvs, "a") && !wholly(kvs, "b")) {
                            mixes.add("range saw " + kvs.size() + " keys: " + summary(kvs));
                        }
                    } catch (Exception | Error e) {
                        mixes.add("range failed: " + e);
                    }
                    rangeReads.incrementAndGet();
                }
            });
            Thread hashes = Thread.ofPlatform().name("hashes").start(() -> {
                while (!stop.get()) {
                    try {
                        int all = StoreHash.all(store);
                        int kv = StoreHash.kv(store, 0).hash();
                        if (!Set.of(allA, allB).contains(all)) {
                            mixes.add("Hash " + all + " is neither store's");
                        }
                        if (!Set.of(kvA, kvB).contains(kv)) {
                            mixes.add("HashKV " + kv + " is neither store's");
                        }
                    } catch (Exception | Error e) {
                        mixes.add("hash failed: " + e);
                    }
                    hashReads.incrementAndGet();
                }
            });
            try {
                for (int i = 0; i < RESTORES; i++) {
                    long r = rangeReads.get();
                    long h = hashReads.get();
                    await("readers read between installs", () -> rangeReads.get() >= r + 2 && hashReads.get() >= h + 2);
                    store.restore(i % 2 == 0 ? b : a);
                }
            } finally {
                stop.set(true);
                ranges.join();
                hashes.join();
            }
            assertEquals(List.of(), List.copyOf(mixes).subList(0, Math.min(5, mixes.size())));
            assertEquals(KEYS, StoreFixtures.contents(store).size());
        }
    }

    private static boolean wholly(List<String> kvs, String prefix) {
        return kvs.size() == KEYS && kvs.stream().allMatch(s -> s.startsWith(prefix) && s.endsWith("=" + prefix));
    }

    private static String summary(List<String> kvs) {
        long a = kvs.stream().filter(s -> s.startsWith("a")).count();
        return a + " from a, " + (kvs.size() - a) + " from b";
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // polls the condition
        }
    }
}
