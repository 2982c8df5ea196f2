package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The newest-version cache: bounded, and never a different answer from reading the store. */
class LatestVersionsTest extends OpenStoreTest {
    private static KeyValue kv(String key, int valueBytes) {
        return KeyValue.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFrom(new byte[valueBytes]))
                .setModRevision(2)
                .setVersion(1)
                .build();
    }

    @Test
    void holdsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        LatestVersions cache = new LatestVersions(10_000);
        for (int i = 0; i < 100; i++) {
            cache.live(kv("k" + i, 500));
            assertTrue(cache.heldBytes() <= 10_000, "held " + cache.heldBytes());
        }
        assertTrue(cache.size() >= 10 && cache.size() < 20, "size " + cache.size());
        assertNull(cache.get(ByteString.copyFromUtf8("k0")));
        assertEquals(kv("k99", 500), cache.get(ByteString.copyFromUtf8("k99")));
    }

    @Test
    void aHugeVersionIsNotHeldAndReplacesNothingStale() {
        LatestVersions cache = new LatestVersions(1L << 30);
        cache.live(kv("k", 10));
        cache.live(kv("k", LatestVersions.MAX_ENTRY_BYTES + 1));
        assertNull(cache.get(ByteString.copyFromUtf8("k")), "the older, smaller version must not stay");
        assertEquals(0, cache.heldBytes());
    }

    @Test
    void absentAndClearReleaseWhatWasHeld() {
        LatestVersions cache = new LatestVersions(1L << 20);
        cache.live(kv("a", 10));
        cache.live(kv("b", 10));
        cache.absent(ByteString.copyFromUtf8("a"));
        assertNull(cache.get(ByteString.copyFromUtf8("a")));
        cache.clear();
        assertEquals(0, cache.size());
        assertEquals(0, cache.heldBytes());
    }

    /**
     * Random puts, deletes, range deletes (some past the tracking limit), lease moves and abandoned transactions; after
     * each, every key's newest version through a write transaction (cached) equals a plain read of the store, and a
     * put's previous version equals what the model says.
     */
    @Test
    void aWriteTransactionSeesExactlyWhatTheStoreHolds() throws Exception {
        randomWrites(new Random(20261206L), 600, true, true);
    }

    /**
     * From an empty store the cache is complete, so a miss answers "absent" without reading the store; with a
     * capacity of a few dozen versions it soon evicts one and must stop answering from misses. Same random writes,
     * no restarts, every key checked after every step.
     */
    @Test
    void fromAnEmptyStoreAMissMeansAbsentUntilTheFirstEviction() throws Exception {
        store.setLatestVersionsCapacity(20_000);
        assertTrue(store.latestVersions().complete(), "an empty store's cache holds every live key");
        Random random = new Random(77L);
        randomWrites(random, 30, false, false);
        assertTrue(store.latestVersions().complete(), "30 small writes of 40 keys fit: nothing evicted yet");
        randomWrites(random, 600, false, true);
        assertTrue(!store.latestVersions().complete(), "bulk writes went past the capacity and the tracking limit");
    }

    @Test
    void everyWayOfDroppingALiveVersionEndsCompleteness() {
        LatestVersions evicting = new LatestVersions(1_500);
        evicting.startComplete();
        evicting.live(kv("a", 500));
        assertTrue(evicting.complete());
        evicting.live(kv("b", 500));
        evicting.live(kv("c", 500));
        assertTrue(!evicting.complete(), "an eviction drops a live key");
        LatestVersions huge = new LatestVersions(1L << 30);
        huge.startComplete();
        huge.live(kv("k", LatestVersions.MAX_ENTRY_BYTES + 1));
        assertTrue(!huge.complete(), "a version too large to hold is live but not held");
        LatestVersions cleared = new LatestVersions(1L << 30);
        cleared.startComplete();
        cleared.absent(ByteString.copyFromUtf8("gone")); // a deletion keeps it complete
        assertTrue(cleared.complete());
        cleared.committed(null);
        assertTrue(!cleared.complete(), "a transaction too large to track forgets everything");
    }

    private final Map<String, String> model = new HashMap<>();

    /** Random writes of keys k0..k39, each step checked against the model and a plain read of the store. */
    private void randomWrites(Random random, int steps, boolean restarts, boolean bulk) throws Exception {
        for (int step = 0; step < steps; step++) {
            String key = "k" + random.nextInt(40);
            int op = random.nextInt(10);
            try (MvccWriteTxn txn = store.beginWrite()) {
                if (op < 6) {
                    String value = "v" + step;
                    KeyValue prev = txn.put(MvccStoreTest.b(key), ByteString.copyFromUtf8(value), random.nextInt(3));
                    assertEquals(
                            model.get(key),
                            prev == null ? null : prev.getValue().toStringUtf8(),
                            key);
                    if (random.nextInt(8) == 0) {
                        continue; // abandoned: nothing of it may be seen
                    }
                    model.put(key, value);
                } else if (op < 8) {
                    KeyValue prev = txn.deleteKey(MvccStoreTest.b(key));
                    assertEquals(
                            model.get(key),
                            prev == null ? null : prev.getValue().toStringUtf8(),
                            key);
                    model.remove(key);
                } else if (op == 8) {
                    txn.deleteRange(KeyRange.of(MvccStoreTest.b("k1"), MvccStoreTest.b("k2")), kv -> {});
                    model.keySet().removeIf(k -> k.startsWith("k1"));
                } else if (bulk && step % 6 == 0) {
                    // more keys than one transaction tracks: the commit forgets the whole cache
                    for (int i = 0; i <= MvccWriteTxn.MAX_TRACKED_KEYS; i++) {
                        txn.put(MvccStoreTest.b("bulk" + i), ByteString.copyFromUtf8("b" + step), 0);
                    }
                    txn.put(MvccStoreTest.b(key), ByteString.copyFromUtf8("v" + step), 0);
                    model.put(key, "v" + step);
                } else {
                    txn.put(MvccStoreTest.b(key), ByteString.copyFromUtf8("w" + step), 0);
                    model.put(key, "w" + step);
                }
                txn.commit(++index);
            }
            if (restarts && step % 50 == 0) { // a restart empties the cache; nothing changes
                store.close();
                store = MvccStore.open(dir.resolve("db"));
            }
            assertAgrees(model);
        }
    }

    private void assertAgrees(Map<String, String> model) throws Exception {
        for (int k = 0; k < 40; k++) {
            String key = "k" + k;
            List<KeyValue> stored = store.range(KeyRange.of(MvccStoreTest.b(key), null), 0, 0, false)
                    .kvs();
            KeyValue viaTxn;
            try (MvccWriteTxn txn = store.beginWrite()) {
                viaTxn = txn.get(MvccStoreTest.b(key));
            }
            assertEquals(stored.isEmpty() ? null : stored.get(0), viaTxn, key);
            assertEquals(
                    model.get(key), viaTxn == null ? null : viaTxn.getValue().toStringUtf8(), key);
        }
    }
}
