package io.etcdj.server.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-fills the next segment file on a background thread once the current one is half full, so that
 * rollover on the caller's thread only writes a header and renames (filling 64 MiB takes 60-500 ms
 * here, longer than a raft heartbeat). The prepared file is named {@code <seq>-0000000000000000.wal.tmp},
 * which start-up deletes as an unfinished segment if the process dies first.
 *
 * <p>Thread confinement: {@link #prepare}, {@link #take} and {@link #close} run on the log's owner
 * thread; the worker thread touches only the one file it creates. The {@link CompletableFuture} in
 * {@code pending} hands that file over (its completion happens-before {@code join} returns).
 */
final class SegmentPreparer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(SegmentPreparer.class);

    private final Path dir;
    private final long sizeBytes;
    private final ExecutorService worker;
    /** Seq of the file being prepared, or -1; owner thread only. */
    private long pendingSeq = -1;
    /** Completes with the prepared, synced file; owner thread only. */
    private CompletableFuture<Path> pending;

    /** Opens the file to prepare (through the log's {@link WalDisk}). */
    private final SegmentSet segments;

    SegmentPreparer(Path dir, long sizeBytes, SegmentSet segments) {
        this.segments = segments;
        this.dir = dir;
        this.sizeBytes = sizeBytes;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "etcdj-wal-prepare");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts preparing the file for segment {@code seq} unless that is already under way. */
    void prepare(long seq) {
        if (pendingSeq == seq) {
            return;
        }
        discard();
        Path tmp = dir.resolve(SegmentSet.fileName(seq, 0) + SegmentSet.TMP_SUFFIX);
        pendingSeq = seq;
        pending = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        Files.deleteIfExists(tmp);
                        try (FileChannel ch = segments.openWritable(tmp, StandardOpenOption.CREATE_NEW)) {
                            SegmentSet.zeroFill(ch, 0, sizeBytes);
                            ch.force(true);
                        }
                        return tmp;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                worker);
    }

    /**
     * The prepared file for segment {@code seq}, waiting for it if needed; null when none was
     * prepared for that seq or preparing failed (the caller then creates the file itself).
     */
    Path take(long seq) {
        if (pendingSeq != seq) {
            discard();
            return null;
        }
        CompletableFuture<Path> f = pending;
        pending = null;
        pendingSeq = -1;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | CancellationException e) {
            log.warn(
                    "Preparing the next WAL segment in {} failed ({}); creating it on the write path instead",
                    dir,
                    String.valueOf(e.getCause() != null ? e.getCause() : e)); // a message, not a stack trace
            return null;
        }
    }

    /** Waits for any preparation and deletes its file. */
    private void discard() {
        if (pending == null) {
            return;
        }
        CompletableFuture<Path> f = pending;
        pending = null;
        pendingSeq = -1;
        try {
            Files.deleteIfExists(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | CancellationException | IOException e) {
            log.debug("discarding a prepared WAL segment failed", e);
        }
    }

    /** For a simulated crash: waits for the worker and leaves any prepared file behind. */
    void abandon() {
        if (pending != null) {
            pending.exceptionally(e -> null).join();
            pending = null;
            pendingSeq = -1;
        }
        worker.shutdown();
    }

    @Override
    public void close() {
        discard();
        worker.shutdown();
    }
}
