package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.common.MonotonicClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stepped compactor (the whole-member simulation's) removes history in small batches, and a reader between two
 * batches ({@code compactBatchDeleted}) sees every revision from the compacted one on exactly as before.
 */
class SteppedCompactionTest {
    @TempDir
    Path dir;

    private MvccStore store;
    private long index;

    @AfterEach
    void close() {
        Failpoints.disarmAll();
        store.close();
    }

    @Test
    void readersBetweenBatchesSeeEveryRevisionFromTheCompactedOneUnchanged() throws Exception {
        store = MvccStore.open(dir.resolve("db"), MonotonicClock.SYSTEM, true);
        for (int round = 0; round < 6; round++) {
            for (String key : List.of("a", "b", "c", "d")) {
                put(key, key + round);
            }
            if (round % 2 == 1) {
                delete("b");
            }
        }
        long current = store.currentRevision();
        long compactTo = current - 5;
        Map<Long, List<KeyValue>> before = new HashMap<>();
        for (long rev = compactTo; rev <= current; rev++) {
            before.put(rev, all(rev));
        }
        try (MvccWriteTxn txn = store.beginWrite()) {
            store.scheduleCompaction(txn, compactTo);
            txn.commit(++index);
        }
        // a reader at every batch boundary (what it finds is kept: the compaction's task would swallow a throw);
        // it arms the point again for the next boundary, since a point fires once per arming
        List<String> differences = new ArrayList<>();
        int[] batches = {0};
        Runnable[] reader = new Runnable[1];
        reader[0] = () -> {
            batches[0]++;
            for (long rev = compactTo; rev <= current; rev++) {
                try {
                    List<KeyValue> now = all(rev);
                    if (!now.equals(before.get(rev))) {
                        differences.add("revision " + rev + " after " + batches[0] + " batch(es): " + now);
                    }
                } catch (MvccException e) {
                    differences.add("revision " + rev + " after " + batches[0] + " batch(es): " + e);
                }
            }
            Failpoints.arm(Compactor.BATCH_DELETED + "=crash", reader[0]);
        };
        Failpoints.arm(Compactor.BATCH_DELETED + "=crash", reader[0]);
        assertTrue(store.runCompactionStep());
        Failpoints.disarmAll();
        assertTrue(batches[0] > 2, "the compaction ran in " + batches[0] + " batch(es)");
        assertEquals(List.of(), differences);
        for (long rev = compactTo; rev <= current; rev++) {
            assertEquals(before.get(rev), all(rev));
        }
        assertThrows(MvccException.class, () -> all(compactTo - 1));
    }

    private List<KeyValue> all(long rev) throws MvccException {
        return store.range(KeyRange.of(b("a"), b("z")), rev, 0, false).kvs();
    }

    private void put(String key, String value) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(b(key), ByteString.copyFromUtf8(value), 0);
            txn.commit(++index);
        }
    }

    private void delete(String key) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(b(key), null), kv -> {});
            txn.commit(++index);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
