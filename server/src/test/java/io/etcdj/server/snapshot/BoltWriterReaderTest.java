package io.etcdj.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoltWriterReaderTest {
    @TempDir
    Path tmp;

    /** A bucket of {@code n} keys "k%08d" with values of the given sizes, generated twice identically. */
    private static BoltWriter.Bucket generated(String name, int n, long seed, int maxValue) {
        return new BoltWriter.Bucket() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void forEach(BoltWriter.EntrySink sink) throws IOException {
                Random r = new Random(seed);
                for (int i = 0; i < n; i++) {
                    byte[] v = new byte[r.nextInt(maxValue)];
                    r.nextBytes(v);
                    sink.accept(String.format("k%08d", i).getBytes(StandardCharsets.UTF_8), v);
                }
            }
        };
    }

    private static List<byte[][]> entries(BoltWriter.Bucket b) throws IOException {
        List<byte[][]> out = new ArrayList<>();
        b.forEach((k, v) -> out.add(new byte[][] {k, v}));
        return out;
    }

    private static List<byte[][]> entries(BoltReader r, String bucket) throws IOException {
        List<byte[][]> out = new ArrayList<>();
        r.forEach(bucket, (k, v, f) -> out.add(new byte[][] {k, v}));
        return out;
    }

    private Path write(List<BoltWriter.Bucket> buckets) throws IOException {
        BoltWriter w = new BoltWriter(buckets);
        BoltWriter.Layout layout = w.measure();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        w.writeTo(bytes);
        assertEquals(layout.sizeBytes(), bytes.size(), "the layout pass predicts the file's size");
        Path file = tmp.resolve("db");
        Files.write(file, bytes.toByteArray());
        return file;
    }

    @Test
    void whatIsWrittenReadsBackInOrderAndPassesTheCheck() throws IOException {
        BoltWriter.Bucket many = generated("many", 20_000, 1, 300); // several branch levels
        BoltWriter.Bucket big = generated("big", 40, 2, 50_000); // values over many overflow pages
        BoltWriter.Bucket empty = generated("empty", 0, 3, 1);
        Path file = write(List.of(many, big, empty));
        try (BoltReader r = BoltReader.open(file, Files.size(file))) {
            r.check();
            assertEquals(List.of("big", "empty", "many"), r.bucketNames());
            for (BoltWriter.Bucket b : List.of(many, big, empty)) {
                List<byte[][]> expected = entries(b);
                List<byte[][]> actual = entries(r, b.name());
                assertEquals(expected.size(), actual.size(), b.name());
                for (int i = 0; i < expected.size(); i++) {
                    assertArrayEquals(expected.get(i)[0], actual.get(i)[0]);
                    assertArrayEquals(expected.get(i)[1], actual.get(i)[1]);
                }
            }
        }
    }

    @Test
    void damageIsReportedByName() throws IOException {
        Path file = write(List.of(generated("many", 5_000, 1, 100)));
        byte[] good = Files.readAllBytes(file);

        byte[] magic = good.clone();
        magic[16] ^= 1;
        magic[4096 + 16] ^= 1;
        Files.write(file, magic);
        IOException e = assertThrows(CorruptSnapshotException.class, () -> BoltReader.open(file, magic.length));
        assertTrue(e.getMessage().contains("not a bbolt database"), e.getMessage());

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 4096));
        e = assertThrows(CorruptSnapshotException.class, () -> BoltReader.open(file, good.length - 4096));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        byte[] page = good.clone();
        page[3 * 4096 + 8] = 0x7; // page 3's type
        Files.write(file, page);
        e = assertThrows(CorruptSnapshotException.class, () -> {
            try (BoltReader r = BoltReader.open(file, page.length)) {
                r.check();
            }
        });
        assertTrue(e.getMessage().contains("page 3"), e.getMessage());
    }
}
