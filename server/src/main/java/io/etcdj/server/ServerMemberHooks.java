package io.etcdj.server;

import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.checkpoint.SnapshotInstaller;
import io.etcdj.server.cluster.DowngradeState;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.MemberHooks;
import io.etcdj.server.watch.WatchHub;
import java.io.IOException;
import java.nio.file.Path;

/** The raft member's hooks: the lessor follows leadership; a leader's snapshot replaces the store. */
record ServerMemberHooks(
        MvccStore store,
        Lessor lessor,
        MemberRegistry registry,
        Alarms alarms,
        AuthStore auth,
        DowngradeState downgrade,
        Path snapDir,
        WatchHub hub,
        Runnable onRemoved)
        implements MemberHooks {
    @Override
    public void becameLeader() {
        lessor.promote();
    }

    @Override
    public void lostLeadership() {
        lessor.demote();
    }

    @Override
    public void removed() {
        onRemoved.run();
    }

    @Override
    public void installSnapshot(SnapshotMetadata meta, Path dir) throws IOException {
        SnapshotInstaller.install(store, snapDir, dir, meta.index(), meta.term());
        registry.reload(store);
        alarms.reload(store);
        downgrade.reload(store);
        auth.reload(store);
        lessor.reload();
        hub.restored(store.currentRevision());
    }
}
