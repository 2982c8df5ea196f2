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
        return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFrom(new byte[valueBytes])).setModRevision(2).setVersion(1).build();
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
        Random random = new Random(20261206L);
        Map<String, String> model = new HashMap<>();
        for (int step = 0; step < 600; step++) {
            String key = "k" + random.nextInt(40);
            int op = random.nextInt(10);
            try (MvccWriteTxn txn = store.beginWrite()) {
                if (op < 6) {
                    String value = "v" + step;
                    KeyValue prev = txn.put(MvccStoreTest.b(key), ByteString.copyFromUtf8(value), random.nextInt(3));
                    assertEquals(model.get(key), prev == null ? null : prev.getValue().toStringUtf8(), key);
                    if (random.nextInt(8) == 0) {
                        continue; // abandoned: nothing of it may be seen
                    }
                    model.put(key, value);
                } else if (op < 8) {
                    KeyValue prev = txn.deleteKey(MvccStoreTest.b(key));
                    assertEquals(model.get(key), prev == null ? null : prev.getValue().toStringUtf8(), key);
                    model.remove(key);
                } else if (op == 8) {
                    txn.deleteRange(KeyRange.of(MvccStoreTest.b("k1"), MvccStoreTest.b("k2")), kv -> { });
                    model.keySet().removeIf(k -> k.startsWith("k1"));
                } else if (step % 6 == 0) {
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
            if (step % 50 == 0) { // a restart empties the cache; nothing changes
                store.close();
                store = MvccStore.open(dir.resolve("db"));
            }
            assertAgrees(model);
        }
    }

    private void assertAgrees(Map<String, String> model) throws Exception {
        for (int k = 0; k < 40; k++) {
            String key = "k" + k;
            List<KeyValue> stored = store.range(KeyRange.of(MvccStoreTest.b(key), null), 0, 0, false).kvs();
            KeyValue viaTxn;
            try (MvccWriteTxn txn = store.beginWrite()) {
                viaTxn = txn.get(MvccStoreTest.b(key));
            }
            assertEquals(stored.isEmpty() ? null : stored.get(0), viaTxn, key);
            assertEquals(model.get(key), viaTxn == null ? null : viaTxn.getValue().toStringUtf8(), key);
        }
    }
}
