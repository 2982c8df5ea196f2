package io.etcdj.server.wal;

import static io.etcdj.server.wal.WalTestSupport.all;
import static io.etcdj.server.wal.WalTestSupport.copyDir;
import static io.etcdj.server.wal.WalTestSupport.entries;
import static io.etcdj.server.wal.WalTestSupport.entry;
import static io.etcdj.server.wal.WalTestSupport.flipByte;
import static io.etcdj.server.wal.WalTestSupport.segmentFiles;
import static io.etcdj.server.wal.WalTestSupport.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up: torn tails are repaired, everything else that is damaged or foreign is refused. */
class WalRecoveryTest {
    @TempDir
    Path tmp;

    private static final int APPENDS = 6;

    /** A log of APPENDS synced groups (one entry and a hard state each); returns where the last group starts. */
    private long writeLog(Path dir, WalOptions options) throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
            long lastGroupStart = 0;
            for (long i = 1; i <= APPENDS; i++) {
                lastGroupStart = wal.activeOffsetForTest();
                wal.append(List.of(entry(i, 1)), new HardState(1, 0, i));
                wal.sync();
            }
            return lastGroupStart;
        }
    }

    private void assertHoldsFirst(Path dir, WalOptions options, long n) throws IOException {
        assertHoldsFirst(dir, options, n, true);
    }

    private void assertHoldsFirst(Path dir, WalOptions options, long n, boolean appendAfter) throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
            assertEquals(n, wal.lastIndex());
            assertEquals(entries(1, n, 1), all(wal));
            assertEquals(new HardState(1, 0, n), wal.hardState());
            if (!appendAfter) {
                return;
            }
            wal.append(List.of(entry(n + 1, 2)), null); // the repaired log takes appends again
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
            assertEquals(n + 1, wal.lastIndex());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void tornTailAtEveryOffsetOfTheLastGroupIsTruncated(boolean preallocate) throws IOException {
        WalOptions options = new WalOptions(1 << 16, preallocate, 1024);
        Path original = tmp.resolve("original");
        long lastGroupStart = writeLog(original, options);
        long lastGroupEnd;
        try (WriteAheadLog wal = WriteAheadLog.open(original, options)) {
            lastGroupEnd = wal.activeOffsetForTest();
        }
        Path segment = segmentFiles(original).get(0).getFileName();
        for (long cut = lastGroupStart; cut <= lastGroupEnd; cut++) {
            Path dir = copyDir(original, tmp.resolve("cut-" + cut));
            try (FileChannel ch = FileChannel.open(dir.resolve(segment), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            assertHoldsFirst(dir, options, cut == lastGroupEnd ? APPENDS : APPENDS - 1, cut % 10 == 0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void garbageAfterTheLastRecordIsTruncated(boolean preallocate) throws IOException {
        WalOptions options = new WalOptions(1 << 16, preallocate, 1024);
        Random random = new Random(42);
        for (int trial = 0; trial < 8; trial++) {
            Path dir = tmp.resolve("trial-" + trial);
            writeLog(dir, options);
            long end;
            try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
                end = wal.activeOffsetForTest();
            }
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            Path segment = segmentFiles(dir).get(0);
            long at = trial % 2 == 0 ? end : Files.size(segment); // right after the data, or past the zero tail
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(garbage), at);
            }
            assertHoldsFirst(dir, options, APPENDS);
        }
    }

    @Test
    void damageInAnUnsyncedBatchIsATornWriteEvenWhenLaterFramesSurvived() throws IOException {
        // Pages of an unsynced batch may reach the disk in any order: a lost middle page is a torn write.
        Path dir = tmp.resolve("wal");
        long secondGroup;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(List.of(entry(1, 1)), null);
            wal.sync();
            secondGroup = wal.activeOffsetForTest();
            wal.append(List.of(entry(2, 1)), null);
            wal.append(List.of(entry(3, 1)), null); // same batch: no sync in between
            wal.flushForTest();
            wal.crashForTest();
        }
        flipByte(segmentFiles(dir).get(0), secondGroup + 30);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(1, wal.lastIndex());
        }
    }

    @Test
    void damageToSyncedDataInTheLastSegmentIsRefused() throws IOException {
        Path dir = tmp.resolve("wal");
        long secondGroup;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(List.of(entry(1, 1)), null);
            wal.sync();
            secondGroup = wal.activeOffsetForTest();
            wal.append(List.of(entry(2, 1)), null);
            wal.sync();
            wal.append(List.of(entry(3, 1)), null);
            wal.sync();
        }
        Path segment = segmentFiles(dir).get(0);
        for (long offset : new long[] {secondGroup, secondGroup + 2, secondGroup + 30}) { // length, header, payload
            Path copy = copyDir(dir, tmp.resolve("flip-" + offset));
            flipByte(copy.resolve(segment.getFileName()), offset);
            WalCorruptException e = assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(copy, small()));
            assertTrue(e.getMessage().contains(segment.getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("offset " + secondGroup), e.getMessage());
            assertTrue(e.getMessage().contains("not a torn write"), e.getMessage());
            assertTrue(e.getMessage().contains("member remove"), e.getMessage());
        }
    }

    @Test
    void damageInAnEarlierSegmentIsRefused() throws IOException {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            for (long i = 1; i <= 300; i++) {
                wal.append(List.of(entry(i, 1)), null);
            }
        }
        List<Path> files = segmentFiles(dir);
        assertTrue(files.size() > 2);
        Path first = files.get(0);
        byte[] before = Files.readAllBytes(first);
        for (long offset = WalFormat.FIRST_DATA_OFFSET; offset < before.length; offset += 5) {
            flipByte(first, offset);
            WalCorruptException e = assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(dir, small()));
            assertTrue(e.getMessage().contains(first.getFileName().toString()), e.getMessage());
            flipByte(first, offset);
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(first)), "a refused open must not write");
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(300, wal.lastIndex());
        }
    }

    @Test
    void damagedSegmentHeaderOrStartRecordIsRefused() throws IOException {
        Path dir = tmp.resolve("wal");
        writeLog(dir, small());
        for (long offset : new long[] {0, 9, 20, 38, 45, 70}) {
            Path copy = copyDir(dir, tmp.resolve("flip-" + offset));
            flipByte(segmentFiles(copy).get(0), offset);
            assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(copy, small()));
        }
    }

    @Test
    void foreignFilesAreRefusedAndLeftAlone() throws IOException {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Path foreign = dir.resolve("0000000000000001-0000000000000001.wal");
        byte[] content = "this is not a write-ahead log, but it is long enough for a header".getBytes();
        Files.write(foreign, content);
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(dir, small()));
        assertTrue(e.getMessage().contains(foreign.toString()) && e.getMessage().contains("bad magic"), e.getMessage());
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(foreign)));

        Path other = tmp.resolve("wal2");
        writeLog(other, small());
        Files.writeString(other.resolve("notes.txt"), "hello");
        e = assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(other, small()));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertTrue(Files.exists(other.resolve("notes.txt")));
    }

    @Test
    void missingSegmentIsRefused() throws IOException {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            for (long i = 1; i <= 300; i++) {
                wal.append(List.of(entry(i, 1)), null);
            }
        }
        List<Path> files = segmentFiles(dir);
        Files.delete(files.get(1));
        WalCorruptException e = assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(dir, small()));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        Files.delete(files.get(0)); // now the log starts at segment 3: its entries before are gone unreleased
        e = assertThrows(WalCorruptException.class, () -> WriteAheadLog.open(dir, small()));
        assertTrue(e.getMessage().contains("lacks entry 1"), e.getMessage());
    }

    @Test
    void unfinishedSegmentCreationIsCleanedUp() throws IOException {
        Path dir = tmp.resolve("wal");
        writeLog(dir, small());
        Path leftover = dir.resolve("0000000000000002-0000000000000007.wal.tmp");
        Files.write(leftover, new byte[100]);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(APPENDS, wal.lastIndex());
        }
        assertFalse(Files.exists(leftover));
    }
}
