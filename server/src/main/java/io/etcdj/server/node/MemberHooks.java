package io.etcdj.server.node;

import io.etcdj.raft.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Path;

/** What the raft member asks of the rest of the server. */
public interface MemberHooks {
    /** This member leads and has applied its log up to its own term's first entry (called on the apply thread). */
    void becameLeader();

    /** This member no longer leads (called on the driver thread). */
    void lostLeadership();

    /** This member's removal from the cluster was applied (called on the apply thread). */
    void removed();

    /**
     * Replaces the store's contents with the leader's snapshot for {@code meta}, whose files were received into
     * {@code dir} (called on the driver thread, once everything before it is applied; the directory is the hook's).
     */
    void installSnapshot(SnapshotMetadata meta, Path dir) throws IOException;

    /** Hooks that do nothing, and refuse snapshots. */
    MemberHooks NONE = new MemberHooks() {
        @Override
        public void becameLeader() {}

        @Override
        public void lostLeadership() {}

        @Override
        public void removed() {}

        @Override
        public void installSnapshot(SnapshotMetadata meta, Path dir) throws IOException {
            throw new IOException("this member cannot install snapshots");
        }
    };
}
