package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Throwaway measurement, not a test: fsync latency of one small append and throughput with 100
 * entries per sync, on the disk holding the given directory (default: java.io.tmpdir).
 * Run: {@code java -cp <test classpath> io.etcdj.server.wal.WalSyncBenchmark [dir]}.
 */
public final class WalSyncBenchmark {
    private WalSyncBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path base = Files.createTempDirectory(
                args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir")), "walbench");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int round = 1; round <= rounds; round++) {
            for (boolean preallocate : new boolean[] {true, false}) {
                measure(base.resolve("r" + round + "-prealloc-" + preallocate), new WalOptions(64L << 20, preallocate));
            }
        }
        rawFsync(base);
    }

    private static void measure(Path dir, WalOptions options) throws IOException {
        long t0 = System.nanoTime();
        try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
            double openMs = (System.nanoTime() - t0) / 1e6;
            long index = 1;
            byte[] data = new byte[256];
            for (int i = 0; i < 20; i++) { // warm-up
                wal.append(List.of(new LogEntry(index++, 1, data)), null);
                wal.sync();
            }
            long[] nanos = new long[200];
            for (int i = 0; i < nanos.length; i++) {
                long start = System.nanoTime();
                wal.append(List.of(new LogEntry(index++, 1, data)), new HardState(1, 0, index - 2));
                wal.sync();
                nanos[i] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            long start = System.nanoTime();
            long appended = 0;
            while (System.nanoTime() - start < 2_000_000_000L) {
                List<LogEntry> batch = new ArrayList<>(100);
                for (int i = 0; i < 100; i++) {
                    batch.add(new LogEntry(index++, 1, data));
                }
                wal.append(batch, null);
                wal.sync();
                appended += 100;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "preallocate=%-5s open %6.1f ms | append(256 B)+sync median %.3f ms p90 %.3f ms p99 %.3f ms"
                            + " | 100/sync: %.0f appends/s, %d segments%n",
                    options.preallocate(),
                    openMs,
                    nanos[100] / 1e6,
                    nanos[180] / 1e6,
                    nanos[198] / 1e6,
                    appended / seconds,
                    wal.segmentCountForTest());
        }
    }

    /** fdatasync after a 256-byte write into a zero-filled, a sparse, and a growing file. */
    private static void rawFsync(Path base) throws IOException {
        for (String kind : new String[] {"zero-filled", "sparse (setLength)", "growing"}) {
            Path file = base.resolve("raw-" + kind.charAt(0));
            try (FileChannel ch = FileChannel.open(
                    file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (kind.startsWith("zero")) {
                    SegmentSet.zeroFill(ch, 0, 8 << 20);
                } else if (kind.startsWith("sparse")) {
                    ch.write(ByteBuffer.wrap(new byte[1]), (8 << 20) - 1);
                }
                ch.force(true);
                long[] nanos = new long[200];
                ByteBuffer b = ByteBuffer.allocateDirect(256);
                for (int i = 0; i < nanos.length; i++) {
                    long start = System.nanoTime();
                    b.clear();
                    ch.write(b, 256L * i);
                    ch.force(false);
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                System.out.printf(
                        "raw write(256 B)+force(false), %s file: median %.3f ms, p90 %.3f ms%n",
                        kind, nanos[100] / 1e6, nanos[180] / 1e6);
            }
        }
    }
}
