package io.etcdj.server.snap;

import io.etcdj.raft.ConfState;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.mvcc.MvccStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Installs a leader's snapshot (a checkpoint of its store) into this member's store, crash-safely: a marker file
 * naming the checkpoint is written first and removed last, and a start that finds it does the (idempotent) copy
 * again. The store then records the snapshot's index and term, which the raft storage needs when the log does not
 * reach that far yet.
 */
public final class SnapshotInstaller {
    static final String MARKER = "INSTALLING";
    static final byte[] INSTALLED_KEY = "raft_snapshot".getBytes(StandardCharsets.UTF_8);

    private SnapshotInstaller() {
    }

    /** Replaces the store with the checkpoint in {@code checkpoint}, the state after raft entry index/term. */
    public static void install(MvccStore store, Path snapDir, Path checkpoint, long index, long term)
            throws IOException {
        Path marker = snapDir.resolve(MARKER);
        Path tmp = snapDir.resolve(MARKER + ".tmp");
        Files.writeString(tmp, checkpoint.getFileName() + " " + index + " " + term, StandardCharsets.UTF_8);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        fsyncDir(snapDir);
        copy(store, checkpoint, index, term);
        Files.delete(marker);
        Checkpoints.deleteRecursively(checkpoint);
    }

    /** Finishes an installation a crash cut short; returns whether there was one. */
    public static boolean recover(MvccStore store, Path snapDir) throws IOException {
        Path marker = snapDir.resolve(MARKER);
        if (!Files.exists(marker)) {
            return false;
        }
        String[] parts = Files.readString(marker, StandardCharsets.UTF_8).trim().split(" ");
        Path checkpoint = snapDir.resolve(parts[0]);
        copy(store, checkpoint, Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        Files.delete(marker);
        Checkpoints.deleteRecursively(checkpoint);
        return true;
    }

    /** The name of the checkpoint an unfinished installation uses, or null (its directory must be kept). */
    public static String pending(Path snapDir) throws IOException {
        Path marker = snapDir.resolve(MARKER);
        return Files.exists(marker) ? Files.readString(marker, StandardCharsets.UTF_8).trim().split(" ")[0] : null;
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
            b.put(store.backend().meta(), INSTALLED_KEY, ByteBuffer.allocate(16).putLong(index).putLong(term)
                    .array());
            store.backend().write(b);
            store.backend().flush();
        } catch (RocksDBException e) {
            throw new IOException("recording the store's snapshot position: " + e.getMessage(), e);
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }
}
