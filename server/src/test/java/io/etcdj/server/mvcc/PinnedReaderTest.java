package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinnedReaderTest {
    @TempDir
    Path dir;

    @Test
    void writesAfterPinningAreNotSeen() throws Exception {
        try (MvccStore store = MvccStore.open(dir)) {
            put(store, "k", "before", 1);
            PinnedReader pinned = PinnedReader.atCurrent(store);
            put(store, "k", "after", 2);
            KeyRange k = KeyRange.of("k".getBytes(StandardCharsets.UTF_8), null);
            RangeResult r = pinned.range(k, 0, 0, false);
            assertEquals("before", r.kvs().get(0).getValue().toStringUtf8());
            assertEquals(2, r.currentRevision());
            assertEquals(3, store.range(k, 0, 0, false).currentRevision());
            assertThrows(MvccException.class, () -> pinned.range(k, 3, 0, false));
        }
    }

    private static void put(MvccStore store, String k, String v, long index) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(k.getBytes(StandardCharsets.UTF_8), ByteString.copyFromUtf8(v), 0);
            txn.commit(index);
        }
    }
}
