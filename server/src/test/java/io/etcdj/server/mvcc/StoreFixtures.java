package io.etcdj.server.mvcc;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.Checkpoint;

/** Stores with known contents, and checkpoints of them as a leader would send. */
public final class StoreFixtures {
    private StoreFixtures() {}

    /** Puts {@code prefix}0 .. {@code prefix}(n-1), one revision each (revisions 2..n+1), value = prefix. */
    public static void fill(MvccStore store, String prefix, int n) throws Exception {
        long index = store.consistentIndex();
        for (int i = 0; i < n; i++) {
            try (MvccWriteTxn txn = store.beginWrite()) {
                txn.put((prefix + i).getBytes(StandardCharsets.UTF_8), ByteString.copyFromUtf8(prefix), 0);
                txn.commit(++index);
            }
        }
        store.backend().flush();
    }

    /** A store in {@code dir} holding {@code n} keys named after {@code prefix}, checkpointed into {@code out}. */
    public static Path checkpointOf(Path dir, String prefix, int n, Path out) throws Exception {
        try (MvccStore store = MvccStore.open(dir)) {
            fill(store, prefix, n);
            try (RocksBackend.Pin p = store.backend().pin();
                    Checkpoint cp = Checkpoint.create(store.backend().db())) {
                cp.createCheckpoint(out.toString());
            }
        }
        return out;
    }

    /** Every live key's name and value at the current revision, in key order. */
    public static List<String> contents(MvccStore store) throws MvccException {
        List<String> out = new ArrayList<>();
        for (var kv :
                store.range(new KeyRange(new byte[0], new byte[0]), 0, 0, false).kvs()) {
            out.add(kv.getKey().toStringUtf8() + "=" + kv.getValue().toStringUtf8());
        }
        return out;
    }
}
