package io.etcdj.server.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

class RocksLibraryTest {
    @TempDir
    Path cacheRoot;

    @Test
    void theLibraryIsUnpackedOnceAndReusedByLaterStarts() throws IOException {
        Path dir = RocksLibrary.cachedCopy(cacheRoot);
        assertNotNull(dir, "rocksdbjni's library comes in a jar on the test class path");
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), "only the library, no partial copy left: " + files);
        Path file = files.get(0);
        assertEquals(
                Environment.getJniLibraryFileName("rocksdbjni"),
                file.getFileName().toString());
        try (InputStream in =
                RocksDB.class.getClassLoader().getResourceAsStream(Environment.getJniLibraryFileName("rocksdb"))) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(file), "the copy is the jar's library");
        }

        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(file, written);
        assertEquals(dir, RocksLibrary.cachedCopy(cacheRoot));
        assertEquals(written, Files.getLastModifiedTime(file), "a complete copy is not written again");
    }

    @Test
    void aTruncatedCopyIsReplaced() throws IOException {
        Path dir = RocksLibrary.cachedCopy(cacheRoot);
        Path file = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
        long size = Files.size(file);
        Files.write(file, new byte[] {1, 2, 3});
        assertEquals(dir, RocksLibrary.cachedCopy(cacheRoot));
        assertEquals(size, Files.size(file));
    }

    @Test
    void aCacheThatCannotBeWrittenFailsSoTheLoaderFallsBack() throws IOException {
        Path notADirectory = Files.writeString(cacheRoot.resolve("file"), "x");
        assertThrows(IOException.class, () -> RocksLibrary.cachedCopy(notADirectory));
    }
}
