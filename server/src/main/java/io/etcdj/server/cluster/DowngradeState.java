package io.etcdj.server.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.etcdserverpb.DowngradeInfo;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.rocksdb.RocksDBException;

/**
 * The cluster's downgrade job (etcd's DowngradeInfo): started and cancelled only through the log, so every member
 * reports the same, and kept in the store's meta family with the entry that changed it (so it survives restarts and
 * travels in snapshots).
 *
 * <p>Threads: {@link #apply} on the applier thread; {@link #current} from any thread.
 */
public final class DowngradeState {
    static final byte[] META_KEY = "downgrade".getBytes(StandardCharsets.UTF_8);
    private static final DowngradeInfo NONE = DowngradeInfo.getDefaultInstance();

    /** Replaced on the applier thread once the entry is committed. */
    private volatile DowngradeInfo current;

    private DowngradeState(DowngradeInfo current) {
        this.current = current;
    }

    /** No downgrade job (tests, and a store that never had one). */
    public static DowngradeState none() {
        return new DowngradeState(NONE);
    }

    /** The job recorded in {@code store}. */
    public static DowngradeState load(MvccStore store) throws IOException {
        return new DowngradeState(read(store));
    }

    /** Reads the job again: the store was replaced by a leader's snapshot. */
    public void reload(MvccStore store) throws IOException {
        current = read(store);
    }

    private static DowngradeInfo read(MvccStore store) throws IOException {
        try {
            byte[] v = store.backend().metaBytes(META_KEY);
            return v == null ? NONE : DowngradeInfo.parseFrom(v);
        } catch (RocksDBException | InvalidProtocolBufferException e) {
            throw new IOException("the store's downgrade record is unreadable: " + e.getMessage(), e);
        }
    }

    /** The job as Status reports it: enabled with its target, or disabled with no target. */
    public DowngradeInfo current() {
        return current;
    }

    /** Records a started (enabled, with target) or cancelled (disabled) job; applier thread. */
    public void apply(MvccWriteTxn txn, DowngradeInfo next) throws RocksDBException {
        DowngradeInfo stored = next.getEnabled() ? next : NONE;
        txn.putMetaEntry(META_KEY, stored.toByteArray());
        txn.onCommit(() -> current = stored);
    }
}
