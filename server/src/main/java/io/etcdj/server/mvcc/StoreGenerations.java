package io.etcdj.server.mvcc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of a store's generations ({@link RocksBackend}): generation 0 is the data directory itself, a
 * snapshot install stages generation N in {@code gen-N} and switches to it by writing the file {@code ACTIVE}
 * (durably: a temporary file, synced, renamed, the directory synced). A crash leaves either the old generation or the
 * new, complete one named; what else an install cut short left is removed at the next open.
 */
final class StoreGenerations {
    /** The file naming the generation in use (absent: generation 0, the directory itself). */
    static final String ACTIVE = "ACTIVE";

    static final String GENERATION_PREFIX = "gen-";
    private static final Logger LOG = LoggerFactory.getLogger(StoreGenerations.class);

    private StoreGenerations() {}

    /** Makes {@code name} the generation in use, durably: from the rename on, a restart opens it. */
    static void writeActive(Path dir, String name) throws IOException {
        Path marker = dir.resolve(ACTIVE);
        Path tmp = dir.resolve(ACTIVE + ".tmp");
        Files.write(tmp, name.getBytes(StandardCharsets.UTF_8));
        DurableFiles.fsyncFile(tmp);
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.fsyncDirectory(dir);
    }

    /** Empty but for what an install cut short may have left (staged generations, a half-written ACTIVE). */
    static boolean isEmptyDir(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .allMatch(n -> n.startsWith(GENERATION_PREFIX) || n.equals(ACTIVE + ".tmp"));
        }
    }

    /** The generation ACTIVE names, or null when there is no ACTIVE (generation 0). */
    static String readActive(Path dir) throws IOException {
        Path marker = dir.resolve(ACTIVE);
        if (!Files.exists(marker)) {
            return null;
        }
        String name = Files.readString(marker, StandardCharsets.UTF_8).trim();
        if (!name.matches(GENERATION_PREFIX + "\\d{1,18}") || !Files.isDirectory(dir.resolve(name))) {
            throw new IOException("the store in " + dir + " is damaged: " + marker + " names '" + name
                    + "', which is not a store generation there; restore the data dir from a backup, or remove this"
                    + " member and add it back with an empty --data-dir");
        }
        return name;
    }

    static long generationOf(String name) {
        return Long.parseLong(name.substring(GENERATION_PREFIX.length()));
    }

    /**
     * Deletes what an install cut short left in {@code dir}: every generation directory but {@code keep}, and when
     * {@code keep} is set, generation 0's files too (they are at the top of {@code dir}).
     */
    static void removeAllBut(Path dir, String keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        boolean removed = false;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.equals(ACTIVE) || name.equals(keep)) {
                    continue;
                }
                if (name.startsWith(GENERATION_PREFIX) && Files.isDirectory(p)) {
                    LOG.info("removing {}, left by a snapshot install that a crash cut short", p);
                    DurableFiles.deleteTree(p);
                    removed = true;
                } else if (name.equals(ACTIVE + ".tmp")) {
                    Files.delete(p);
                    removed = true;
                }
            }
        }
        if (keep != null) {
            removeGenerationZero(dir); // the files of generation 0, if a crash left them
        } else if (removed) {
            DurableFiles.fsyncDirectory(dir);
        }
    }

    /**
     * Deletes generation 0's files: the regular files at the top of {@code dir}, all but ACTIVE and the ACTIVE.tmp
     * of an install that may be running.
     */
    static void removeGenerationZero(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.equals(ACTIVE) && !name.equals(ACTIVE + ".tmp")) {
                    Files.delete(p);
                }
            }
        }
        DurableFiles.fsyncDirectory(dir);
    }

    /**
     * Makes {@code to} a durable copy of the checkpoint {@code from}: table files (immutable) hard-linked where the
     * file system allows, everything else copied, each synced, then the directory.
     */
    static void stage(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : s.toList()) {
                if (!Files.isRegularFile(f)) {
                    throw new IOException("the snapshot in " + from + " holds " + f.getFileName()
                            + ", which is not a file: it is not a store checkpoint");
                }
                Path target = to.resolve(f.getFileName());
                boolean linked = false;
                if (f.getFileName().toString().endsWith(".sst")) {
                    try {
                        Files.createLink(target, f);
                        linked = true;
                    } catch (IOException | UnsupportedOperationException e) {
                        // another file system, or no hard links: copy
                    }
                }
                if (!linked) {
                    Files.copy(f, target);
                }
                DurableFiles.fsyncFile(target);
            }
        }
        DurableFiles.fsyncDirectory(to);
        DurableFiles.fsyncDirectory(to.getParent());
    }

    static void deleteQuietly(Path p) {
        try {
            DurableFiles.deleteTree(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.toString());
        }
    }
}
