package io.etcdj.server.sim;

import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.checkpoint.SnapshotInstaller;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.node.MemberHooks;
import io.etcdj.server.watch.WatchHub;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A simulated member's hooks, as the server's ({@code ServerMemberHooks}): the lessor follows leadership; a leader's
 * snapshot replaces the store, and what is kept beside it (membership, alarms, users and roles, leases) is read again.
 */
record SimMemberHooks(
        MvccStore store,
        Lessor lessor,
        MemberRegistry registry,
        Alarms alarms,
        AuthStore auth,
        Path snapDir,
        WatchHub hub,
        Runnable promoted,
        Runnable removedHook)
        implements MemberHooks {
    @Override
    public void becameLeader() {
        lessor.promote();
        promoted.run();
    }

    @Override
    public void lostLeadership() {
        lessor.demote();
    }

    @Override
    public void removed() {
        removedHook.run();
    }

    @Override
    public void installSnapshot(SnapshotMetadata meta, Path dir) throws IOException {
        SnapshotInstaller.install(store, snapDir, dir, meta.index(), meta.term());
        registry.reload(store);
        alarms.reload(store);
        if (!Mutants.STALE_AUTH_AFTER_INSTALL.on()) {
            auth.reload(store);
        }
        lessor.reload();
        hub.restored(store.currentRevision());
    }
}
