package io.etcdj.server.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss: what the log wrote but did not sync may reach the disk in part, in any order of sectors, or not at all.
 * Random appends, hard states and syncs; then the unsynced tail of the active segment is torn (cut at a random offset,
 * random sectors of it zeroed, or both) while the synced part is kept, and the log is reopened. It must open (damage
 * in unsynced data is a torn write, not corruption) and hold exactly the synced state plus the unsynced groups that
 * lie wholly before the first damaged byte. A failure names its seed.
 */
class WalPowerLossTest {
    private static final int SEEDS = 60;
    private static final int SECTOR_BYTES = 512;

    @TempDir
    Path tmp;

    /** A state the log may come back in, and where its last group ends in the active segment. */
    private record Candidate(WalRandomizedTest.Model model, long endOffset) {}

    @Test
    void recoveryKeepsTheSyncedPrefixAndTheIntactUnsyncedGroupsBeforeTheFirstDamage() throws IOException {
        for (long seed = 1; seed <= SEEDS; seed++) {
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
        WalOptions options = new WalOptions(2048 + random.nextInt(8192), random.nextBoolean(), 1 << 20);
        WalRandomizedTest.Model model = new WalRandomizedTest.Model();
        WriteAheadLog wal = WriteAheadLog.open(dir, options);
        List<Candidate> sinceSync = new ArrayList<>(List.of(new Candidate(model.copy(), wal.durableOffsetForTest())));
        int steps = 5 + random.nextInt(60);
        for (int step = 0; step < steps; step++) {
            if (random.nextInt(5) == 0) {
                wal.sync();
                sinceSync = new ArrayList<>(List.of(new Candidate(model.copy(), wal.durableOffsetForTest())));
                continue;
            }
            WalRandomizedTest.Model before = model.copy();
            Path segment = wal.activeSegmentForTest();
            append(wal, model, random);
            if (!wal.activeSegmentForTest().equals(segment)) {
                // the append rolled to a new segment: the old one was synced first, the new one holds only this group
                sinceSync = new ArrayList<>(List.of(new Candidate(before, wal.durableOffsetForTest())));
            }
            sinceSync.add(new Candidate(model.copy(), wal.activeOffsetForTest()));
        }
        wal.flushForTest(); // everything reached the OS; the power cut decides what reached the disk
        Path segment = wal.activeSegmentForTest();
        long durable = wal.durableOffsetForTest();
        long written = wal.activeOffsetForTest();
        wal.crashForTest();
        long firstDamage = tear(segment, durable, written, options.preallocate(), random);
        Candidate expected = sinceSync.get(0);
        for (Candidate c : sinceSync) {
            if (c.endOffset() <= firstDamage) {
                expected = c;
            }
        }
        try (WriteAheadLog reopened = WriteAheadLog.open(dir, options)) {
            assertEquals(
                    expected.model().lastIndex(),
                    reopened.lastIndex(),
                    "last index (synced up to " + durable + ", written to " + written + ", first damage at "
                            + firstDamage + ")");
            assertTrue(expected.model().sameAs(reopened), "the recovered log differs from the expected state");
            long next = reopened.lastIndex() + 1;
            reopened.append(
                    List.of(new LogEntry(next, Math.max(1, expected.model().term(next - 1)), new byte[] {1})), null);
            reopened.sync();
        }
        try (WriteAheadLog again = WriteAheadLog.open(dir, options)) {
            assertEquals(expected.model().lastIndex() + 1, again.lastIndex(), "an append after recovery is kept");
        }
    }

    /** Appends 0-4 entries after the last one (new terms now and then), sometimes with a new hard state. */
    private static void append(WriteAheadLog wal, WalRandomizedTest.Model model, SplittableRandom random)
            throws IOException {
        long from = model.lastIndex() + 1;
        long term = Math.max(1, model.term(from - 1)) + (random.nextInt(4) == 0 ? 1 : 0);
        List<LogEntry> batch = new ArrayList<>();
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[random.nextInt(10) == 0 ? 1500 + random.nextInt(1500) : random.nextInt(300)];
            random.nextBytes(data);
            batch.add(new LogEntry(from + i, term, data));
        }
        HardState hs = null;
        if (random.nextBoolean()) {
            long lastAfter = from + count - 1;
            hs = new HardState(
                    Math.max(model.hardState.term(), term),
                    random.nextInt(3),
                    Math.max(
                            model.hardState.commit(),
                            Math.min(lastAfter, model.hardState.commit() + random.nextInt(3))));
        }
        wal.append(batch, hs);
        for (LogEntry e : batch) {
            model.entries.put(e.index(), e);
        }
        if (hs != null) {
            model.hardState = hs;
        }
    }

    /**
     * Tears [durable, written) of {@code segment} as a power cut may: cut it at a random offset (a preallocated file
     * keeps its size: its tail goes back to zeros), zero random sectors of it, both, or neither. Returns the first
     * offset whose content changed ({@code written} when none did).
     */
    private static long tear(Path segment, long durable, long written, boolean preallocated, SplittableRandom random)
            throws IOException {
        byte[] before = read(segment, written);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            int mode = random.nextInt(4);
            if (written > durable && (mode == 1 || mode == 3)) {
                long cut = durable + random.nextLong(written - durable + 1);
                if (preallocated) {
                    zero(ch, cut, written);
                } else {
                    ch.truncate(cut);
                }
            }
            if (written > durable && (mode == 2 || mode == 3)) {
                int sectors = 1 + random.nextInt(3);
                for (int i = 0; i < sectors; i++) {
                    long at = durable + random.nextLong(written - durable);
                    long sectorStart = Math.max(durable, at - at % SECTOR_BYTES);
                    zero(ch, sectorStart, Math.min(written, at - at % SECTOR_BYTES + SECTOR_BYTES));
                }
            }
        }
        byte[] after = read(segment, written);
        for (int i = (int) durable; i < written; i++) {
            if (i >= after.length || after[i] != before[i]) {
                return i;
            }
        }
        return written;
    }

    private static void zero(FileChannel ch, long from, long to) throws IOException {
        if (to > from) {
            ch.write(ByteBuffer.allocate((int) (to - from)), from);
        }
    }

    private static byte[] read(Path file, long upTo) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return all.length <= upTo ? all : java.util.Arrays.copyOf(all, (int) upTo);
    }
}
