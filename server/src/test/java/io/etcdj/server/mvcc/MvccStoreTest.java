package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MvccStoreTest extends OpenStoreTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(ByteString b) {
        return b.toStringUtf8();
    }

    void put(String... kvs) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            for (int i = 0; i < kvs.length; i += 2) {
                txn.put(b(kvs[i]), ByteString.copyFromUtf8(kvs[i + 1]), 0);
            }
            txn.commit(++index);
        }
    }

    List<KeyValue> range(String key, String end, long rev) throws Exception {
        return store.range(KeyRange.of(b(key), end == null ? null : b(end)), rev, 0, false)
                .kvs();
    }

    @Test
    void freshStoreIsAtRevisionOne() {
        assertEquals(1, store.currentRevision());
        assertEquals(0, store.consistentIndex());
    }

    @Test
    void eachWriteIsOneRevisionAndVersionsCount() throws Exception {
        put("a", "1");
        put("a", "2");
        put("b", "x", "c", "y"); // one revision, two changes
        assertEquals(4, store.currentRevision());
        KeyValue a = range("a", null, 0).get(0);
        assertEquals("2", s(a.getValue()));
        assertEquals(2, a.getCreateRevision());
        assertEquals(3, a.getModRevision());
        assertEquals(2, a.getVersion());
        KeyValue c = range("c", null, 0).get(0);
        assertEquals(4, c.getModRevision());
        assertEquals(1, c.getVersion());
    }

    @Test
    void readsAtOldRevisionsSeeOldValues() throws Exception {
        put("a", "1");
        put("a", "2");
        put("b", "1");
        assertEquals("1", s(range("a", null, 2).get(0).getValue()));
        assertEquals(List.of(), range("b", null, 3));
        assertEquals(2, range("a", "c", 4).size());
        assertEquals(1, range("a", "c", 3).size());
        assertThrows(MvccException.class, () -> range("a", null, 5));
    }

    @Test
    void deleteLeavesTombstoneAndRecreateResetsVersion() throws Exception {
        put("k", "1");
        try (MvccWriteTxn txn = store.beginWrite()) {
            List<KeyValue> deleted = new java.util.ArrayList<>();
            assertEquals(1, txn.deleteRange(KeyRange.of(b("k"), null), deleted::add));
            assertEquals(1, deleted.size());
            assertEquals(Event.EventType.DELETE, txn.events().get(0).getType());
            txn.commit(++index);
        }
        assertEquals(List.of(), range("k", null, 0));
        assertEquals(1, range("k", null, 2).size());
        put("k", "2");
        KeyValue k = range("k", null, 0).get(0);
        assertEquals(1, k.getVersion());
        assertEquals(4, k.getCreateRevision());
    }

    @Test
    void rangeFormsLimitAndCount() throws Exception {
        put("a", "1", "b", "2", "c", "3", "d", "4");
        assertEquals(List.of("b", "c"), keys(store.range(KeyRange.of(b("b"), b("d")), 0, 0, false)));
        RangeResult limited = store.range(KeyRange.of(b("a"), new byte[] {0}), 0, 2, false);
        assertEquals(List.of("a", "b"), keys(limited));
        assertEquals(4, limited.count());
        RangeResult all = store.range(KeyRange.of(new byte[] {0}, new byte[] {0}), 0, 0, true);
        assertEquals(4, all.count());
        assertTrue(all.kvs().isEmpty());
    }

    @Test
    void keysWithZeroBytesAndPrefixesStayOrdered() throws Exception {
        put("a", "1");
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(new byte[] {'a', 0}, ByteString.copyFromUtf8("z"), 0);
            txn.put(new byte[] {'a', 0, 0}, ByteString.copyFromUtf8("zz"), 0);
            txn.put(b("ab"), ByteString.copyFromUtf8("y"), 0);
            txn.commit(++index);
        }
        put("a", "2");
        List<KeyValue> kvs =
                store.range(KeyRange.of(b("a"), b("b")), 0, 0, false).kvs();
        assertEquals(4, kvs.size());
        assertEquals("2", s(kvs.get(0).getValue()));
        assertEquals(ByteString.copyFrom(new byte[] {'a', 0}), kvs.get(1).getKey());
        assertEquals(ByteString.copyFrom(new byte[] {'a', 0, 0}), kvs.get(2).getKey());
        assertEquals("ab", s(kvs.get(3).getKey()));
    }

    @Test
    void transactionSeesItsOwnWrites() throws Exception {
        put("a", "1");
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(b("a"), ByteString.copyFromUtf8("2"), 0);
            assertEquals("2", s(txn.get(b("a")).getValue()));
            assertEquals(3, txn.currentRevision());
            assertEquals("1", s(range("a", null, 0).get(0).getValue())); // others don't, yet
            txn.commit(++index);
        }
        assertEquals("2", s(range("a", null, 0).get(0).getValue()));
    }

    @Test
    void compactionRemovesSupersededHistoryOnly() throws Exception {
        put("a", "1");
        put("a", "2");
        put("b", "1");
        put("a", "3");
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(b("b"), null), kv -> {});
            txn.commit(++index);
        }
        try (MvccWriteTxn txn = store.beginWrite()) {
            var done = store.scheduleCompaction(txn, 5);
            txn.commit(++index);
            done.get(10, TimeUnit.SECONDS);
        }
        assertEquals(5, store.compactedRevision());
        assertThrows(MvccException.class, () -> range("a", null, 4));
        assertEquals("3", s(range("a", null, 5).get(0).getValue()));
        assertEquals(1, range("b", null, 5).size()); // b's delete is at 6, above the compaction
        try (MvccWriteTxn txn = store.beginWrite()) {
            assertThrows(MvccException.class, () -> store.scheduleCompaction(txn, 5));
            assertThrows(MvccException.class, () -> store.scheduleCompaction(txn, 99));
        }
    }

    void compact(long revision) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            var done = store.scheduleCompaction(txn, revision);
            txn.commit(++index);
            done.get(10, TimeUnit.SECONDS);
        }
    }

    void delete(String key) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(b(key), null), kv -> {});
            txn.commit(++index);
        }
    }

    @Test
    void aDeletionCompactedAwayLeavesNoOlderVersionReadable() throws Exception {
        put("x", "old"); // 2
        put("y", "1"); // 3
        put("y", "2"); // 4
        compact(4); // keeps x@2: the newest version of x at 4
        delete("x"); // 5
        put("y", "3"); // 6
        compact(6); // scans from 3: removes the deletion at 5, and so must remove x@2, which the scan does not reach
        assertEquals(List.of(), range("x", null, 0));
        assertEquals(List.of(), range("x", null, 6));
        put("x", "new"); // 7
        assertEquals(1, range("x", null, 0).get(0).getVersion()); // a new generation, as after the deletion
        compact(7);
        assertEquals("new", s(range("x", null, 0).get(0).getValue()));
    }

    @Test
    void stateSurvivesReopenAfterFlush() throws Exception {
        put("a", "1");
        put("b", "2");
        store.backend().flush();
        store.close();
        store = MvccStore.open(dir.resolve("db"));
        assertEquals(3, store.currentRevision());
        assertEquals(2, store.consistentIndex());
        assertEquals("2", s(range("b", null, 0).get(0).getValue()));
    }

    @Test
    void liveKeysCountCreatesAndDeletesAndSurvivesReopen() throws Exception {
        put("a", "1", "b", "1");
        put("a", "2"); // an update creates nothing
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(b("b"), null), kv -> {});
            txn.deleteRange(KeyRange.of(b("zz"), null), kv -> {}); // nothing there
            txn.commit(++index);
        }
        put("c", "1");
        assertEquals(2, store.liveKeys());
        store.backend().flush();
        store.close();
        store = MvccStore.open(dir.resolve("db"));
        assertEquals(2, store.liveKeys());
    }

    @Test
    void commitsAreTimedWithTheInjectedClock() throws Exception {
        store.close();
        long[] now = {0};
        store = MvccStore.open(dir.resolve("db"), () -> now[0] += 3_000_000); // each reading 3 ms later
        put("first", "1"); // registers the commit timer
        io.micrometer.core.instrument.Timer commits = io.etcdj.server.metrics.Metrics.registry()
                .get("etcd_disk_backend_commit_duration")
                .timer();
        long before = commits.count();
        double beforeMs = commits.totalTime(TimeUnit.MILLISECONDS);
        put("a", "1");
        assertEquals(1, commits.count() - before);
        assertEquals(3.0, commits.totalTime(TimeUnit.MILLISECONDS) - beforeMs, 1e-9);
    }

    @Test
    void liveKeysOfAStoreWithoutTheCountAreCounted() throws Exception {
        put("a", "1", "b", "1", "c", "1");
        store.backend().db().delete(store.backend().meta(), MvccStore.LIVE_KEYS); // as a store made before the count
        store.backend().flush();
        store.close();
        store = MvccStore.open(dir.resolve("db"));
        assertEquals(3, store.liveKeys());
    }

    @Test
    void foreignDirectoryIsRefusedAndLeftAlone() throws Exception {
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("data.txt"), "not ours");
        assertThrows(java.io.IOException.class, () -> MvccStore.open(other));
        assertEquals("not ours", Files.readString(other.resolve("data.txt")));
    }

    @Test
    void missingKeyIsNull() throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            assertNull(txn.get(b("nope")));
        }
    }

    private static List<String> keys(RangeResult r) {
        return r.kvs().stream().map(kv -> kv.getKey().toStringUtf8()).toList();
    }
}
