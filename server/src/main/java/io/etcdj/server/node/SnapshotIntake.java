package io.etcdj.server.node;

import io.etcdj.raft.Message;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.mvcc.MvccStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of snapshots: the leader's snapshots received whole (files in a directory each), kept until the
 * raft core accepts one; then it is installed into the store, checkpointed again (so that this member can pass it
 * on should it come to lead), and the log restarts after it. Driver thread only.
 */
final class SnapshotIntake {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotIntake.class);

    private final MvccStore store;
    private final Checkpoints checkpoints;
    private final MemberHooks hooks;
    /** Received and not yet installed, by index. */
    private final TreeMap<Long, Path> received = new TreeMap<>();

    SnapshotIntake(MvccStore store, Checkpoints checkpoints, MemberHooks hooks) {
        this.store = store;
        this.checkpoints = checkpoints;
        this.hooks = hooks;
    }

    /** The files of {@code m}'s snapshot are in {@code dir}; a snapshot received earlier at the same index goes. */
    void received(Message.SnapshotRequest m, Path dir) {
        Path old = received.put(m.snapshot().metadata().index(), dir);
        if (old != null && !old.equals(dir)) {
            deleteQuietly(old);
        }
    }

    /**
     * Installs the snapshot the core accepted, once {@code applyLoop} has applied everything before it, and records it
     * in {@code storage}.
     */
    void install(SnapshotMetadata meta, ApplyLoop applyLoop, WalStorage storage)
            throws IOException, InterruptedException {
        Path dir = received.remove(meta.index());
        if (dir == null) {
            throw new IllegalStateException(
                    "raft accepted a snapshot at index " + meta.index() + " that never arrived");
        }
        applyLoop.awaitIdle();
        LOG.info("installing the leader's snapshot at index {} term {}", meta.index(), meta.term());
        try {
            hooks.installSnapshot(meta, dir);
            if (checkpoints != null) {
                checkpoints.create(store, meta.index(), meta.term());
            }
        } catch (IOException e) {
            throw new InstallFailure(
                    "installing the leader's snapshot at index " + meta.index() + " failed: " + e.getMessage(), e);
        }
        storage.installed(meta);
        applyLoop.restartedAt(meta.index());
        while (!received.isEmpty() && received.firstKey() <= meta.index()) {
            deleteQuietly(received.pollFirstEntry().getValue());
        }
    }

    /**
     * Deletes the snapshots received at or below {@code commitIndex}: the core never installs one there. A snapshot
     * that arrives after the same one was installed (a second stream of it, or a former leader's older one), or after
     * the log caught up past it, would otherwise keep a copy of the store on disk until the next install or restart
     * (found by the whole-member simulation).
     */
    void committed(long commitIndex) {
        while (!received.isEmpty() && received.firstKey() <= commitIndex) {
            deleteQuietly(received.pollFirstEntry().getValue());
        }
    }

    /** The store could not take the leader's snapshot (as opposed to the log failing to write). */
    static final class InstallFailure extends IOException {
        InstallFailure(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** Deletes every snapshot received and not installed (stopping). */
    void clear() {
        received.values().forEach(SnapshotIntake::deleteQuietly);
        received.clear();
    }

    private static void deleteQuietly(Path dir) {
        try {
            Checkpoints.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
