package io.etcdj.server.checkpoint;

import io.etcdj.raft.ConfState;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.common.Failpoints;
import io.etcdj.server.mvcc.DurableFiles;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.RocksBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Installs a leader's snapshot (a checkpoint of its store) into this member's store, crash-safely: a marker file
 * naming the checkpoint is written first and removed before the checkpoint, and a start that finds it does the
 * (idempotent) install again. The store then records the snapshot's index and term, which the raft storage needs
 * when the log does not reach that far yet.
 */
public final class SnapshotInstaller {
    static final String MARKER = "INSTALLING";
    static final byte[] INSTALLED_KEY = "raft_snapshot".getBytes(StandardCharsets.UTF_8);

    private SnapshotInstaller() {}

    /**
     * Replaces the store with the checkpoint in {@code checkpoint}, the state after raft entry index/term. Steps, each
     * durable before the next (crash points in brackets): the marker naming the checkpoint
     * [snapInstallMarkerWritten]; the store switched to the checkpoint (see {@link RocksBackend#replaceWith}) and the
     * snapshot's position recorded in it [snapInstallRecorded]; the marker deleted [snapInstallMarkerDeleted]; the
     * checkpoint deleted. A start that finds the marker finishes the work ({@link #recover}).
     */
    public static void install(MvccStore store, Path snapDir, Path checkpoint, long index, long term)
            throws IOException {
        Path marker = snapDir.resolve(MARKER);
        // the received files were each synced; their names must be too, before a marker sends a restart to them
        DurableFiles.fsyncDirectory(checkpoint);
        DurableFiles.fsyncDirectory(snapDir);
        DurableFiles.writeAtomically(
                marker, (checkpoint.getFileName() + " " + index + " " + term).getBytes(StandardCharsets.UTF_8));
        Failpoints.hit("snapInstallMarkerWritten");
        copy(store, checkpoint, index, term);
        Failpoints.hit("snapInstallRecorded");
        finish(marker, checkpoint);
    }

    /**
     * The marker goes first, and durably, before the checkpoint: were the checkpoint's deletion to reach the disk
     * first, a crash would leave a marker naming a checkpoint that is gone.
     */
    private static void finish(Path marker, Path checkpoint) throws IOException {
        DurableFiles.delete(marker);
        Failpoints.hit("snapInstallMarkerDeleted");
        DurableFiles.deleteTree(checkpoint);
    }

    /** Finishes an installation a crash cut short; returns whether there was one. */
    public static boolean recover(MvccStore store, Path snapDir) throws IOException {
        Path marker = snapDir.resolve(MARKER);
        if (!Files.exists(marker)) {
            return false;
        }
        String[] parts = Files.readString(marker, StandardCharsets.UTF_8).trim().split(" ");
        if (parts.length != 3) {
            throw new IOException("the snapshot install marker " + marker + " is damaged ('" + String.join(" ", parts)
                    + "'); remove this member and add it back with an empty --data-dir");
        }
        Path checkpoint = snapDir.resolve(parts[0]);
        long index = Long.parseLong(parts[1]);
        long term = Long.parseLong(parts[2]);
        if (Files.isDirectory(checkpoint)) {
            copy(store, checkpoint, index, term);
        } else {
            SnapshotMetadata done = installed(store);
            if (done == null || done.index() != index || done.term() != term) {
                throw new IOException("cannot finish installing the leader's snapshot at index " + index + ": its"
                        + " files (" + checkpoint + ") are gone; remove this member and add it back with an empty"
                        + " --data-dir");
            }
            // the install was complete; only the marker's deletion did not reach the disk
        }
        finish(marker, checkpoint);
        return true;
    }

    /** The name of the checkpoint an unfinished installation uses, or null (its directory must be kept). */
    public static String pending(Path snapDir) throws IOException {
        Path marker = snapDir.resolve(MARKER);
        return Files.exists(marker)
                ? Files.readString(marker, StandardCharsets.UTF_8).trim().split(" ")[0]
                : null;
    }

    /** The last snapshot installed into the store (index and term; no membership), or null. */
    public static SnapshotMetadata installed(MvccStore store) throws IOException {
        try {
            byte[] v = store.backend().metaBytes(INSTALLED_KEY);
            if (v == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(v);
            return new SnapshotMetadata(b.getLong(), b.getLong(), ConfState.EMPTY);
        } catch (RocksDBException e) {
            throw new IOException("reading the store's snapshot record: " + e.getMessage(), e);
        }
    }

    /** Switches the store to the checkpoint and records the snapshot's position in it. */
    private static void copy(MvccStore store, Path checkpoint, long index, long term) throws IOException {
        try {
            store.restore(checkpoint);
            recordInstalled(store, index, term);
        } catch (RocksDBException e) {
            throw new IOException("installing the snapshot in " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records that the store holds the state after raft entry index/term (a snapshot installed, or data imported
     * as the cluster's starting point), and flushes the store.
     */
    public static void recordInstalled(MvccStore store, long index, long term) throws IOException {
        try (WriteBatch b = new WriteBatch()) {
            b.put(
                    store.backend().meta(),
                    INSTALLED_KEY,
                    ByteBuffer.allocate(16).putLong(index).putLong(term).array());
            store.backend().write(b);
            store.backend().flush();
        } catch (RocksDBException e) {
            throw new IOException("recording the store's snapshot position: " + e.getMessage(), e);
        }
    }
}
