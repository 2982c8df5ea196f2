package io.etcdj.server.checkpoint;

import io.etcdj.server.common.Failpoints;
import io.etcdj.server.mvcc.DurableFiles;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.RocksBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's snapshots: RocksDB checkpoints of its store (hard links to the store's files, so cheap in time and
 * disk), one per snapshot point, in {@code <dir>/<index>-<term>}. A lagging follower is sent the one matching the
 * snapshot the raft core offers. The newest {@link #KEEP} are kept; an older one is deleted once no transfer uses it.
 * Thread-safe.
 */
public final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    static final int KEEP = 2;
    static final String INCOMING_PREFIX = "incoming-";

    /** A checkpoint of the store as of raft index {@code index} (whose entry has term {@code term}). */
    public record Snapshot(long index, long term, Path path) {}

    private final Path dir;
    /** Guarded by this: index -> checkpoint. */
    private final TreeMap<Long, Snapshot> byIndex = new TreeMap<>();
    /** Guarded by this: index -> transfers using it. */
    private final Map<Long, Integer> inUse = new TreeMap<>();

    private Checkpoints(Path dir) {
        this.dir = dir;
    }

    /** Opens the snapshot directory, keeping complete checkpoints and deleting leftovers of interrupted work. */
    public static Checkpoints open(Path dir, String keepIncoming) throws IOException {
        Files.createDirectories(dir);
        Checkpoints c = new Checkpoints(dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\d+-\\d+")) {
                    String[] parts = name.split("-");
                    long index = Long.parseLong(parts[0]);
                    c.byIndex.put(index, new Snapshot(index, Long.parseLong(parts[1]), p));
                } else if (Files.isDirectory(p) && !name.equals(keepIncoming)) {
                    deleteRecursively(p); // a checkpoint or a received snapshot cut short by a crash
                }
            }
        }
        return c;
    }

    public Path directory() {
        return dir;
    }

    /** Checkpoints the store now, as the snapshot at {@code index}; the store must have applied exactly that far. */
    public Snapshot create(MvccStore store, long index, long term) throws IOException {
        synchronized (this) {
            Snapshot existing = byIndex.get(index);
            if (existing != null) {
                return existing;
            }
        }
        Path tmp = dir.resolve("tmp-" + index);
        DurableFiles.deleteTree(tmp);
        try (RocksBackend.Pin p = store.backend().pin();
                Checkpoint cp = Checkpoint.create(store.backend().db())) {
            cp.createCheckpoint(tmp.toString()); // flushes the memtables first: the store's WAL is off
        } catch (RocksDBException e) {
            throw new IOException("checkpointing the store at index " + index + ": " + e.getMessage(), e);
        }
        Failpoints.hit("checkpointCreated");
        Path done = dir.resolve(index + "-" + term);
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(dir);
        Failpoints.hit("checkpointPublished");
        Snapshot s = new Snapshot(index, term, done);
        synchronized (this) {
            byIndex.put(index, s);
            prune();
        }
        return s;
    }

    /** The checkpoint at {@code index}, pinned until {@link #release}; null if there is none. */
    public synchronized Snapshot acquire(long index) {
        Snapshot s = byIndex.get(index);
        if (s != null) {
            inUse.merge(index, 1, Integer::sum);
        }
        return s;
    }

    public synchronized void release(Snapshot s) {
        inUse.computeIfPresent(s.index(), (k, n) -> n > 1 ? n - 1 : null);
        Failpoints.hit("checkpointRelease");
        prune();
    }

    /** The newest checkpoint, or null. */
    public synchronized Snapshot latest() {
        var e = byIndex.lastEntry();
        return e == null ? null : e.getValue();
    }

    /** A new directory for a snapshot being received from the leader. */
    public Path newIncoming() throws IOException {
        return Files.createTempDirectory(dir, INCOMING_PREFIX);
    }

    /** Guarded by this: drops checkpoints beyond the newest {@link #KEEP} that no transfer uses. */
    private void prune() {
        while (byIndex.size() > KEEP) {
            Long oldest = byIndex.firstKey();
            if (inUse.containsKey(oldest)) {
                return;
            }
            Snapshot s = byIndex.remove(oldest);
            try {
                DurableFiles.deleteTree(s.path());
                Failpoints.hit("checkpointDeleted");
            } catch (IOException e) {
                LOG.warn("could not delete the old snapshot {}: {}", s.path(), e.toString());
            }
        }
    }

    /** Deletes a directory tree (nothing if it does not exist), durably: its parent is synced after. */
    public static void deleteRecursively(Path p) throws IOException {
        DurableFiles.deleteTree(p);
    }
}
