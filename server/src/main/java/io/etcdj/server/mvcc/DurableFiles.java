package io.etcdj.server.mvcc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File steps whose order must survive a power cut: a rename or a deletion is durable only once its directory is
 * synced, so each step here syncs the parent before it returns.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    /** Makes the contents of the file {@code file} durable. */
    public static void fsyncFile(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /**
     * Replaces {@code target} with a file holding {@code content}, all or nothing: written beside it, synced,
     * renamed over it, and the directory synced.
     */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content);
        fsyncFile(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    /** Deletes a file (nothing if absent) and syncs its directory. */
    public static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        fsyncDirectory(file.getParent());
    }

    /** Deletes a directory tree (nothing if it does not exist) and syncs its parent. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        fsyncDirectory(p.toAbsolutePath().getParent());
    }
}
