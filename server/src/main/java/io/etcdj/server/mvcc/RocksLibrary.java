package io.etcdj.server.mvcc;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's JNI library. RocksDB's own loader unpacks the 15 MB library from its jar into a new temporary file
 * on every start, which is 0.4-0.6 s of a cold JVM's start; this keeps one unpacked copy per jar in the user's cache
 * directory ({@code $XDG_CACHE_HOME/etcdj} or {@code ~/.cache/etcdj}, or the {@code etcdj.nativeCacheDir} system
 * property) and loads that (~10 ms). The copy's directory is named by the jar entry's CRC and size, so a new RocksDB
 * version gets a new copy; it is written to a temporary name and moved into place, so concurrent starts never load a
 * half-written file. Anything unexpected (no cache directory, a read-only home, a loader that names the file
 * differently) falls back to RocksDB's own loader.
 */
final class RocksLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(RocksLibrary.class);
    /** The file name RocksDB's {@code loadLibrary(paths)} looks for in each directory it is given. */
    private static final String LOADED_NAME = Environment.getJniLibraryFileName("rocksdbjni");
    /** The library's name inside the rocksdbjni jar for this platform. */
    private static final String JAR_ENTRY = Environment.getJniLibraryFileName("rocksdb");

    private RocksLibrary() {}

    /** Loads the library once per JVM (RocksDB ignores later calls). */
    static void load() {
        try {
            Path cacheRoot = cacheRoot();
            Path dir = cacheRoot == null ? null : cachedCopy(cacheRoot);
            if (dir != null) {
                RocksDB.loadLibrary(List.of(dir.toString()));
                return;
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.debug("cached RocksDB library not usable, unpacking it again: {}", e.toString());
        }
        RocksDB.loadLibrary();
    }

    /**
     * The directory under {@code cacheRoot} holding an unpacked copy of the jar's library under the name RocksDB's
     * loader looks for, made now if needed; null when the library is not in a jar.
     */
    static Path cachedCopy(Path cacheRoot) throws IOException {
        URL resource = RocksDB.class.getClassLoader().getResource(JAR_ENTRY);
        if (resource == null) {
            return null;
        }
        URLConnection connection = resource.openConnection();
        if (!(connection instanceof JarURLConnection jar)) {
            return null;
        }
        connection.setUseCaches(false);
        JarEntry entry = jar.getJarEntry();
        long size = entry.getSize();
        if (size <= 0 || entry.getCrc() < 0) {
            return null;
        }
        Path dir = cacheRoot.resolve(String.format(Locale.ROOT, "rocksdbjni-%08x-%d", entry.getCrc(), size));
        Path file = dir.resolve(LOADED_NAME);
        if (Files.isRegularFile(file) && Files.size(file) == size) {
            return dir;
        }
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path partial = Files.createTempFile(dir, "unpacking-", ".tmp");
        try {
            try (InputStream in = jar.getInputStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(partial) != size) {
                return null;
            }
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                return null;
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        return dir;
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("etcdj.nativeCacheDir");
        if (configured != null) {
            return configured.isEmpty() ? null : Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "etcdj");
        }
        String home = System.getProperty("user.home");
        return home == null || home.isEmpty() || home.equals("?") ? null : Path.of(home, ".cache", "etcdj");
    }
}
