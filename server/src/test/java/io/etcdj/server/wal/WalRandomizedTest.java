package io.etcdj.server.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random appends, overwrites, hard states, syncs, releases, clean reopens and process crashes,
 * checked after every step against a plain in-memory model. A failure names its seed; rerun one
 * seed by setting {@code FIRST_SEED} and {@code SEEDS = 1}.
 */
class WalRandomizedTest {
    private static final long FIRST_SEED = 1;
    private static final int SEEDS = 10;
    private static final int STEPS = 200;

    @TempDir
    Path tmp;

    /** What the log should hold. */
    static final class Model {
        final TreeMap<Long, LogEntry> entries = new TreeMap<>();
        long releaseIndex;
        long releaseTerm;
        HardState hardState = HardState.EMPTY;

        long lastIndex() {
            return entries.isEmpty() ? releaseIndex : entries.lastKey();
        }

        long term(long index) {
            return index == releaseIndex ? releaseTerm : entries.get(index).term();
        }

        Model copy() {
            Model m = new Model();
            m.entries.putAll(entries);
            m.releaseIndex = releaseIndex;
            m.releaseTerm = releaseTerm;
            m.hardState = hardState;
            return m;
        }

        boolean sameAs(WriteAheadLog wal) throws IOException {
            return wal.firstIndex() == releaseIndex + 1
                    && wal.lastIndex() == lastIndex()
                    && wal.hardState().equals(hardState)
                    && wal.term(releaseIndex) == releaseTerm
                    && WalTestSupport.all(wal).equals(new ArrayList<>(entries.values()));
        }
    }

    @Test
    void randomOperationsMatchTheModel() throws IOException {
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
            try {
                run(seed);
            } catch (AssertionError | IOException | RuntimeException e) {
                throw new AssertionError("seed " + seed + " failed: " + e, e);
            }
        }
    }

    private void run(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        Path dir = tmp.resolve("seed-" + seed);
        WalOptions options = new WalOptions(
                1024 + random.nextInt(4096),
                random.nextBoolean(),
                List.of(0L, 1024L, 1L << 20).get(random.nextInt(3)));
        Model model = new Model();
        // States the log may come back in after a crash: every group boundary since the last sync.
        List<Model> sinceSync = new ArrayList<>(List.of(model.copy()));
        WriteAheadLog wal = WriteAheadLog.open(dir, options);
        try {
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(100);
                if (op < 60) {
                    append(wal, model, random);
                    sinceSync.add(model.copy());
                } else if (op < 75) {
                    wal.sync();
                    sinceSync = new ArrayList<>(List.of(model.copy()));
                } else if (op < 80) {
                    if (release(wal, model, random)) {
                        sinceSync = new ArrayList<>(List.of(model.copy()));
                    }
                } else if (op < 88) {
                    wal.close();
                    wal = WriteAheadLog.open(dir, options);
                    sinceSync = new ArrayList<>(List.of(model.copy()));
                } else {
                    if (random.nextBoolean()) {
                        wal.flushForTest();
                    }
                    wal.crashForTest();
                    wal = WriteAheadLog.open(dir, options);
                    Model recovered = null;
                    for (Model candidate : sinceSync) {
                        if (candidate.sameAs(wal)) {
                            recovered = candidate;
                        }
                    }
                    assertTrue(
                            recovered != null,
                            "step " + step + ": after a crash the log (last " + wal.lastIndex() + ", " + wal.hardState()
                                    + ") matches no state since the last sync");
                    model = recovered.copy();
                    sinceSync = new ArrayList<>(List.of(model.copy()));
                }
                check(wal, model, random, step);
            }
            long segments;
            try (var files = Files.list(dir)) {
                segments = files.filter(p -> p.toString().endsWith(".wal")).count();
            }
            assertEquals(wal.segmentCountForTest(), segments);
        } finally {
            wal.close();
        }
    }

    private static void append(WriteAheadLog wal, Model model, SplittableRandom random) throws IOException {
        long first = model.releaseIndex + 1;
        long last = model.lastIndex();
        long from = random.nextInt(4) == 0 ? first + random.nextLong(last - first + 2) : last + 1;
        long term = Math.max(1, model.term(from - 1)) + (random.nextInt(3) == 0 ? 1 : 0);
        List<LogEntry> batch = new ArrayList<>();
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[random.nextInt(20) == 0 ? 3000 + random.nextInt(3000) : random.nextInt(200)];
            random.nextBytes(data);
            batch.add(new LogEntry(from + i, term, data));
        }
        HardState hs = null;
        if (random.nextBoolean()) {
            long lastAfter = count > 0 ? from + count - 1 : last;
            long commit = Math.max(
                    model.hardState.commit(), Math.min(lastAfter, model.hardState.commit() + random.nextInt(3)));
            hs = new HardState(Math.max(model.hardState.term(), term), random.nextInt(3), commit);
        }
        wal.append(batch, hs);
        if (!batch.isEmpty()) {
            model.entries.tailMap(from, true).clear();
            for (LogEntry e : batch) {
                model.entries.put(e.index(), e);
            }
        }
        if (hs != null) {
            model.hardState = hs;
        }
    }

    /** Returns whether the log changed (a release is synced). */
    private static boolean release(WriteAheadLog wal, Model model, SplittableRandom random) throws IOException {
        long index = model.releaseIndex + random.nextLong(model.lastIndex() - model.releaseIndex + 3);
        boolean held = index <= model.lastIndex();
        long term = held && random.nextInt(5) != 0 ? model.term(index) : model.term(model.lastIndex()) + 1;
        if (index == model.releaseIndex) {
            term = model.releaseTerm;
        }
        wal.releaseTo(index, term);
        if (index == model.releaseIndex) {
            return false;
        }
        if (held && index < model.lastIndex() && model.term(index) == term) {
            model.entries.headMap(index, true).clear();
        } else {
            model.entries.clear();
        }
        model.releaseIndex = index;
        model.releaseTerm = term;
        return true;
    }

    private static void check(WriteAheadLog wal, Model model, SplittableRandom random, int step) throws IOException {
        String at = "step " + step;
        assertEquals(model.releaseIndex + 1, wal.firstIndex(), at);
        assertEquals(model.lastIndex(), wal.lastIndex(), at);
        assertEquals(model.hardState, wal.hardState(), at);
        for (long i = model.releaseIndex; i <= model.lastIndex(); i++) {
            assertEquals(model.term(i), wal.term(i), at + " term(" + i + ")");
        }
        assertEquals(new ArrayList<>(model.entries.values()), WalTestSupport.all(wal), at);
        long first = wal.firstIndex();
        long end = wal.lastIndex() + 1;
        long from = first + random.nextLong(end - first + 1);
        long to = from + random.nextLong(end - from + 1);
        long maxBytes = random.nextInt(600);
        List<LogEntry> got = wal.entries(from, to, maxBytes);
        List<LogEntry> expected = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i < to; i++) {
            bytes += model.entries.get(i).data().length;
            if (!expected.isEmpty() && bytes > maxBytes) {
                break;
            }
            expected.add(model.entries.get(i));
        }
        assertEquals(expected, got, at + " entries(" + from + ", " + to + ", " + maxBytes + ")");
    }
}
