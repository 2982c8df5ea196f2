package io.etcdj.server.snapshot;

import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.server.checkpoint.SnapshotInstaller;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.wal.HardState;
import io.etcdj.server.wal.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.RocksDBException;

/**
 * Founds a cluster on an imported store, as etcd does after {@code snapshot restore}: the founding members are
 * recorded in the store as if their n membership entries (term 1) had been applied, the store is marked as the
 * snapshot at index n, and the log starts after it. A member that joins later is then sent the store (a
 * snapshot) instead of a log that never held the imported data.
 */
public final class ImportedCluster {
    private static final long TERM = 1;

    private ImportedCluster() {}

    /** Founds the cluster of {@code identity} on {@code store} (consistent index 0) and an empty {@code wal}. */
    public static void found(MvccStore store, WriteAheadLog wal, ClusterIdentity identity) throws IOException {
        if (store.consistentIndex() != 0 || wal.lastIndex() != 0) {
            throw new IllegalStateException("founding on imported data needs a fresh store and log");
        }
        List<MemberInfo> members = new ArrayList<>(identity.members());
        members.sort(Comparator.comparingLong(MemberInfo::id));
        long index = members.size();
        MemberRegistry registry = MemberRegistry.load(store, identity);
        try (MvccWriteTxn txn = store.beginWrite()) {
            for (MemberInfo m : members) {
                MemberInfo founding = new MemberInfo(m.id(), m.name(), m.peerUrls(), List.of(), false);
                registry.applyConfChange(
                        txn,
                        new ConfChange(ConfChangeType.ADD_VOTER, RaftIds.of(m.id()), new byte[0]),
                        MemberRegistry.toRecord(founding));
            }
            txn.commit(index);
        } catch (RocksDBException e) {
            throw new IOException("recording the founding members: " + e.getMessage(), e);
        }
        SnapshotInstaller.recordInstalled(store, index, TERM);
        wal.releaseTo(index, TERM);
        wal.append(List.of(), new HardState(TERM, 0, index));
        wal.sync();
    }
}
