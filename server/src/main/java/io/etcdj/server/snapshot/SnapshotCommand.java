package io.etcdj.server.snapshot;

import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.RocksBackend;
import io.etcdj.server.mvcc.StoreSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code etcdj import} and {@code etcdj export}: offline moves between etcd's data and an etcdj data dir.
 * <pre>
 *   etcdj import [--skip-hash-check] SNAPSHOT_FILE|ETCD_DATA_DIR --data-dir NEW_ETCDJ_DATA_DIR
 *   etcdj export --data-dir ETCDJ_DATA_DIR SNAPSHOT_FILE
 * </pre>
 * Import fills {@code <data-dir>/etcdj/db}; the first start of etcdj on that data dir founds the cluster from its
 * flags on top of it (as etcd does after {@code etcdctl snapshot restore}). Export writes the file etcd's
 * Snapshot RPC would stream (the database, then its SHA-256), ready for {@code etcdctl snapshot restore}.
 */
public final class SnapshotCommand {
    private static final String USAGE = """
            usage:
              etcdj import [--skip-hash-check] SNAPSHOT_FILE|ETCD_DATA_DIR --data-dir NEW_ETCDJ_DATA_DIR
              etcdj export --data-dir ETCDJ_DATA_DIR SNAPSHOT_FILE
            """;

    private final PrintStream out;
    private final PrintStream err;

    private SnapshotCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code command} ("import" or "export") with {@code args}; returns the exit code. */
    public static int run(String command, String[] args, PrintStream out, PrintStream err) {
        SnapshotCommand c = new SnapshotCommand(out, err);
        Path dataDir = null;
        boolean skipHashCheck = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--data-dir") && i + 1 < args.length) {
                dataDir = Path.of(args[++i]);
            } else if (a.startsWith("--data-dir=")) {
                dataDir = Path.of(a.substring("--data-dir=".length()));
            } else if (a.equals("--skip-hash-check") || a.equals("--skip-hash-check=true")) {
                skipHashCheck = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                out.print(USAGE);
                return 0;
            } else if (a.startsWith("-")) {
                err.println("etcdj " + command + ": unknown flag " + a + "\n" + USAGE);
                return 2;
            } else {
                positional.add(a);
            }
        }
        if (dataDir == null || positional.size() != 1) {
            err.print(USAGE);
            return 2;
        }
        try {
            if (command.equals("import")) {
                c.importInto(Path.of(positional.get(0)), dataDir, skipHashCheck);
            } else {
                c.export(dataDir, Path.of(positional.get(0)));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println();
            err.println("etcdj " + command + ": " + e.getMessage());
            return 1;
        }
    }

    private void importInto(Path source, Path dataDir, boolean skipHashCheck) throws IOException {
        Path etcdj = dataDir.resolve("etcdj");
        if (Files.exists(etcdj)) {
            throw new IOException(etcdj + " exists: import only into a new data dir");
        }
        Path store = etcdj.resolve("db");
        long start = System.nanoTime();
        EtcdImport.Summary s;
        if (Files.isDirectory(source)) {
            Path member = source.resolve("member");
            s = EtcdDataDirImport.run(Files.isDirectory(member) ? member : source, store, 0, 0, this::progress);
        } else {
            long dataBytes = SnapshotFile.verify(source, skipHashCheck);
            try (BoltReader reader = BoltReader.open(source, dataBytes)) {
                reader.check();
                s = EtcdDataDirImport.importAtomically(reader, store, this::progress);
            }
        }
        err.println();
        out.printf(
                "imported %s into %s in %d ms%n  keys %d, revisions %d (current %d, compacted %d), leases %d,"
                        + " users %d, roles %d, bytes %d%n",
                source,
                dataDir,
                (System.nanoTime() - start) / 1_000_000,
                s.liveKeys(),
                s.revisions(),
                s.currentRevision(),
                s.compactRevision(),
                s.leases(),
                s.users(),
                s.roles(),
                s.bytes());
    }

    private void progress(long revisions) {
        err.print("\r  imported " + revisions + " revisions");
    }

    private void export(Path dataDir, Path file) throws IOException {
        Path store = dataDir.resolve("etcdj").resolve("db");
        if (!RocksBackend.holdsStore(store)) {
            throw new IOException(dataDir + " holds no etcdj store (" + store + ")");
        }
        long start = System.nanoTime();
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try (MvccStore mvcc = MvccStore.open(store);
                StoreSnapshot snap = StoreSnapshot.open(mvcc);
                OutputStream os = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
            BoltWriter writer = new BoltWriter(StoreExport.buckets(snap));
            BoltWriter.Layout layout = writer.measure();
            long total = layout.sizeBytes();
            long[] written = {0, -1};
            ChunkedSha256Output chunks = new ChunkedSha256Output(total, (blob, len, remaining) -> {
                os.write(blob, 0, len);
                written[0] += len;
                long pct = written[0] * 100 / total;
                if (pct != written[1]) {
                    written[1] = pct;
                    err.print("\r  exported " + pct + "% of " + total + " bytes");
                }
            });
            writer.writeTo(chunks);
            os.write(chunks.finish());
            long keys = mvcc.range(KeyRange.of(new byte[] {0}, new byte[] {0}), 0, 0, true)
                    .count();
            err.println();
            out.printf(
                    "exported %s to %s in %d ms%n  keys %d, revisions %d (current %d, compacted %d), leases %d,"
                            + " users %d, roles %d, bytes %d%n",
                    dataDir,
                    file,
                    (System.nanoTime() - start) / 1_000_000,
                    keys,
                    layout.entriesPerBucket().get(bucketIndex(EtcdLayout.KEY)),
                    snap.currentRevision(),
                    snap.scheduledCompactRevision(),
                    layout.entriesPerBucket().get(bucketIndex(EtcdLayout.LEASE)),
                    layout.entriesPerBucket().get(bucketIndex(EtcdLayout.AUTH_USERS)),
                    layout.entriesPerBucket().get(bucketIndex(EtcdLayout.AUTH_ROLES)),
                    total + SnapshotFile.HASH_BYTES);
        } catch (MvccException e) {
            Files.deleteIfExists(part);
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Index of a bucket in the writer's (sorted) order. */
    private static int bucketIndex(String name) {
        return EtcdLayout.ALL_BUCKETS.indexOf(name);
    }
}
