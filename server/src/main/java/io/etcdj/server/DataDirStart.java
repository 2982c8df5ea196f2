package io.etcdj.server;

import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.IdentityFile;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.Bootstrap;
import io.etcdj.server.snapshot.EtcdDataDirImport;
import io.etcdj.server.snapshot.ImportedCluster;
import io.etcdj.server.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Files;

/**
 * What a start finds in the data dir, and what it does about it: a restart reads the member's identity; a first
 * start makes one and joins a running cluster or founds one, on an empty log, on an etcd data dir it imports, or on
 * a store already there. The identity file is written last, so a crash during a first start has the next start redo
 * what is missing.
 *
 * @param fresh        a first start (no identity file yet)
 * @param foundOnStore the cluster is founded on the store as it is (imported, or left by a first start cut short)
 * @param joining      a first start that joins a running cluster (--initial-cluster-state existing)
 */
record DataDirStart(DataDir dir, ClusterIdentity identity, boolean fresh, boolean foundOnStore, boolean joining) {
    /**
     * Reads or makes the member's identity, imports an etcd data dir at a founding member's first start, and creates
     * etcdj's directory: the store can be opened then.
     */
    static DataDirStart prepare(MemberConfig cfg) throws IOException {
        DataDir dir = DataDir.of(cfg.dataDir(), cfg.walDir());
        boolean fresh = dir.isNew();
        if (!fresh && !Files.exists(dir.store())) {
            throw new IOException("data dir " + cfg.dataDir() + " has a member identity but no store at " + dir.store()
                    + "; restore the data dir from a backup or start with an empty --data-dir");
        }
        ClusterIdentity identity = !fresh
                ? IdentityFile.read(dir.identity())
                : cfg.joinExisting() ? Identities.joining(cfg) : Identities.founding(cfg);
        // an etcd data dir (member/) at the first start of a founding member: its data is imported and the cluster
        // founded on it; a crash before the identity file is written redoes what is missing
        boolean importEtcd = fresh && !cfg.joinExisting() && dir.etcdMember() != null;
        // a store already there before the first start was imported offline (etcdj import), or a first start was cut
        // short: either way the cluster is founded on the store as it is
        boolean foundOnStore = importEtcd || fresh && !cfg.joinExisting() && Files.exists(dir.store());
        if (importEtcd && !Files.exists(dir.store())) {
            EtcdDataDirImport.run(dir.etcdMember(), dir.store(), identity.memberId(), identity.clusterId(), n -> {});
        }
        dir.create();
        return new DataDirStart(dir, identity, fresh, foundOnStore, cfg.joinExisting());
    }

    /**
     * Founds the cluster in the opened {@code store} and {@code wal} where this start founds it and nothing did yet,
     * then (a first start) writes the identity file.
     */
    void found(MvccStore store, WriteAheadLog wal) throws IOException {
        if (foundOnStore && store.consistentIndex() == 0 && wal.lastIndex() == 0) {
            ImportedCluster.found(store, wal, identity);
        }
        if (fresh) {
            if (wal.lastIndex() == 0 && !joining && !foundOnStore) {
                Bootstrap.found(wal, identity.members());
            }
            IdentityFile.write(dir.identity(), identity);
        }
    }
}
