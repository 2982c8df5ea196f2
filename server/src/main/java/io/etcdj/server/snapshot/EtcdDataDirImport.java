package io.etcdj.server.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an etcd member's data (its {@code member/} directory: one made by {@code etcdctl snapshot restore}, or a
 * cleanly stopped member's) into a new etcdj store. Everything is checked before anything is written (the bbolt
 * file page by page, auth, and the WAL for committed changes the database lacks); the store is built in a side
 * directory and renamed into place, so a failed or interrupted import leaves nothing behind. The etcd files are only
 * read.
 */
public final class EtcdDataDirImport {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdDataDirImport.class);

    private EtcdDataDirImport() {}

    /** The database of an etcd member directory. */
    public static Path database(Path memberDir) {
        return memberDir.resolve("snap").resolve("db");
    }

    /**
     * Imports {@code memberDir} into a new store at {@code storeDir}. {@code memberId} and {@code clusterId} are
     * this member's, as its flags give them; a WAL naming others is reported (membership comes from the flags, as
     * after {@code etcdctl snapshot restore}).
     */
    public static EtcdImport.Summary run(
            Path memberDir, Path storeDir, long memberId, long clusterId, LongConsumer progress) throws IOException {
        Path db = database(memberDir);
        if (!Files.isRegularFile(db)) {
            throw new IOException("data dir " + memberDir.getParent() + " holds an etcd member directory without"
                    + " its database (" + db + "); nothing to import");
        }
        try (BoltReader reader = BoltReader.open(db, Files.size(db))) {
            reader.check();
            EtcdImport.Preflight pre = EtcdImport.preflight(reader);
            checkWal(memberDir, reader, pre.consistentIndex(), memberId, clusterId);
            EtcdImport.Summary summary = importAtomically(reader, storeDir, progress);
            LOG.info("imported etcd data from {}: {}", db, summary);
            return summary;
        } catch (CorruptSnapshotException e) {
            throw new IOException(
                    "cannot import the etcd database " + db + ": " + e.getMessage() + "; nothing was imported", e);
        }
    }

    /**
     * Imports a checked database into a new store at {@code storeDir}: built beside it and renamed into place, so
     * the store exists only once it is complete.
     */
    public static EtcdImport.Summary importAtomically(BoltReader reader, Path storeDir, LongConsumer progress)
            throws IOException {
        Path side = storeDir.resolveSibling(storeDir.getFileName() + ".importing");
        deleteRecursively(side);
        Files.createDirectories(side.getParent());
        try {
            EtcdImport.Summary summary = EtcdImport.importInto(reader, side, progress);
            Files.move(side, storeDir, StandardCopyOption.ATOMIC_MOVE);
            return summary;
        } finally {
            deleteRecursively(side);
        }
    }

    private static void checkWal(Path memberDir, BoltReader reader, long consistentIndex, long memberId, long clusterId)
            throws IOException {
        Path walDir = memberDir.resolve("wal");
        if (!Files.isDirectory(walDir)) {
            return; // a bare database: nothing can be ahead of it
        }
        Set<Long> leases = new HashSet<>();
        reader.forEach(
                EtcdLayout.LEASE,
                (k, v, f) -> leases.add(EtcdLayout.parseLease(v).id()));
        EtcdWal.Result wal = EtcdWal.scan(walDir, consistentIndex, leases::contains);
        if (wal.dbIsBehind()) {
            throw new IOException("refusing to import " + memberDir.getParent() + ": its WAL has a committed "
                    + wal.missingKind() + " at index " + wal.firstMissingIndex() + " that its database (consistent"
                    + " index " + consistentIndex + ") does not hold, as after a crash; importing would lose"
                    + " acknowledged writes. Start that member with etcd again and take a snapshot from it"
                    + " (etcdctl snapshot save), then `etcdctl snapshot restore` it into a new data dir (or run"
                    + " `etcdj import` on the snapshot file), and start etcdj on that");
        }
        if (memberId != 0 && wal.nodeId() != 0 && (wal.nodeId() != memberId || wal.clusterId() != clusterId)) {
            LOG.warn(
                    "the etcd WAL names member {} of cluster {}; this member is {} of cluster {} (from"
                            + " --initial-cluster and --initial-cluster-token): membership comes from the flags",
                    Long.toHexString(wal.nodeId()),
                    Long.toHexString(wal.clusterId()),
                    Long.toHexString(memberId),
                    Long.toHexString(clusterId));
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
