package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HashKV agrees between stores that applied the same writes, whatever compaction has removed, and only then. */
class StoreHashTest {
    @TempDir
    Path dir;

    private MvccStore a;
    private MvccStore b;

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** Puts key=value pairs in one revision at raft index {@code index}. */
    private static void put(MvccStore store, long index, String... kvs) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            for (int i = 0; i < kvs.length; i += 2) {
                txn.put(kvs[i].getBytes(StandardCharsets.UTF_8), ByteString.copyFromUtf8(kvs[i + 1]), 0);
            }
            txn.commit(index);
        }
    }

    private static void delete(MvccStore store, long index, String key) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(key.getBytes(StandardCharsets.UTF_8), null), kv -> {});
            txn.commit(index);
        }
    }

    private static CompletableFuture<Void> compact(MvccStore store, long index, long revision) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            CompletableFuture<Void> done = store.scheduleCompaction(txn, revision);
            txn.commit(index);
            return done;
        }
    }

    /** The same history in both stores: versions of x, y deleted, z. */
    private void writeHistory(MvccStore s) throws Exception {
        put(s, 1, "x", "1", "y", "1");
        put(s, 2, "x", "2");
        delete(s, 3, "y");
        put(s, 4, "z", "1");
        put(s, 5, "x", "3");
    }

    @Test
    void equalHistoriesHashEquallyWhateverCompactionHasRemoved() throws Exception {
        a = MvccStore.open(dir.resolve("a"));
        b = MvccStore.open(dir.resolve("b"));
        writeHistory(a);
        writeHistory(b);
        assertEquals(StoreHash.kv(a, 0), StoreHash.kv(b, 0));
        int beforeCompaction = StoreHash.kv(a, 0).hash();

        // a has physically compacted at revision 5 (x's versions at 2 and 3 go); b has only recorded the compaction
        // (same applied state)
        compact(a, 6, 5).get(10, TimeUnit.SECONDS);
        compact(b, 6, 5);
        assertEquals(StoreHash.kv(a, 0), StoreHash.kv(b, 0));
        assertEquals(5, StoreHash.kv(a, 0).compactRevision());
        assertNotEquals(beforeCompaction, StoreHash.kv(a, 0).hash(), "compaction changes what is hashed");
        assertThrows(MvccException.class, () -> StoreHash.kv(a, 3)); // below the compaction
        assertThrows(MvccException.class, () -> StoreHash.kv(a, 100)); // in the future
    }

    @Test
    void anyDifferenceChangesTheHashAndAnOldRevisionHashesTheOldState() throws Exception {
        a = MvccStore.open(dir.resolve("a"));
        b = MvccStore.open(dir.resolve("b"));
        writeHistory(a);
        put(b, 1, "x", "1", "y", "1");
        put(b, 2, "x", "2");
        delete(b, 3, "y");
        put(b, 4, "z", "other"); // one value differs
        put(b, 5, "x", "3");
        assertNotEquals(StoreHash.kv(a, 0).hash(), StoreHash.kv(b, 0).hash());
        // the store starts at revision 1: the writes above are revisions 2..6, z's differs at 5
        assertEquals(StoreHash.kv(a, 4), StoreHash.kv(b, 4), "identical before revision 5's divergence");
        assertEquals(5, StoreHash.kv(a, 5).revision());
        assertNotEquals(StoreHash.kv(a, 5).hash(), StoreHash.kv(b, 5).hash());
        assertNotEquals(StoreHash.all(a), StoreHash.all(b));
    }
}
