package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Helpers shared by the WAL tests. */
final class WalTestSupport {
    private WalTestSupport() {}

    /** Small segments and cache so tests exercise rollover and disk reads quickly. */
    static WalOptions small() {
        return new WalOptions(4096, true, 2048);
    }

    static LogEntry entry(long index, long term) {
        return new LogEntry(index, term, ("entry-" + index + "-" + term).getBytes(StandardCharsets.UTF_8));
    }

    static List<LogEntry> entries(long from, long toInclusive, long term) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(i, term));
        }
        return out;
    }

    static List<LogEntry> all(WriteAheadLog wal) throws IOException {
        return wal.entries(wal.firstIndex(), wal.lastIndex() + 1, Long.MAX_VALUE);
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".wal"))
                    .sorted()
                    .toList();
        }
    }

    /** Copies every file of {@code from} into a new directory {@code to} (a crash image). */
    static Path copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(
                file, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5a));
            b.position(0);
            ch.write(b, offset);
        }
    }
}
