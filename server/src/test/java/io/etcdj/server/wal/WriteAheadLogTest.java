package io.etcdj.server.wal;

import static io.etcdj.server.wal.WalTestSupport.all;
import static io.etcdj.server.wal.WalTestSupport.entries;
import static io.etcdj.server.wal.WalTestSupport.entry;
import static io.etcdj.server.wal.WalTestSupport.segmentFiles;
import static io.etcdj.server.wal.WalTestSupport.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {
    @TempDir
    Path dir;

    @Test
    void freshLogIsEmpty() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal"), small())) {
            assertEquals(1, wal.firstIndex());
            assertEquals(0, wal.lastIndex());
            assertEquals(0, wal.term(0));
            assertEquals(HardState.EMPTY, wal.hardState());
            assertEquals(List.of(), wal.entries(1, 1, 100));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal"), small())) {
            assertEquals(0, wal.lastIndex());
        }
    }

    @Test
    void appendSyncReopenRoundTrip() throws IOException {
        List<LogEntry> written = entries(1, 50, 3);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults())) {
            wal.append(written.subList(0, 20), null);
            wal.append(written.subList(20, 50), new HardState(3, 7, 40));
            wal.sync();
            assertEquals(written, all(wal));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults())) {
            assertEquals(1, wal.firstIndex());
            assertEquals(50, wal.lastIndex());
            assertEquals(3, wal.term(50));
            assertEquals(new HardState(3, 7, 40), wal.hardState());
            assertEquals(written, all(wal));
        }
    }

    @Test
    void hardStatePersistsWithAndWithoutEntries() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(List.of(), new HardState(1, 2, 0));
            wal.sync();
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(new HardState(1, 2, 0), wal.hardState());
            wal.append(List.of(entry(1, 2)), new HardState(2, 0, 1));
            wal.append(List.of(), null);
            wal.sync();
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(new HardState(2, 0, 1), wal.hardState());
            assertEquals(1, wal.lastIndex());
        }
    }

    @Test
    void suffixOverwriteSurvivesReopen() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(entries(1, 10, 1), null);
            wal.append(entries(6, 7, 2), null);
            assertEquals(7, wal.lastIndex());
            assertEquals(2, wal.term(6));
            assertEquals(1, wal.term(5));
            wal.sync();
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(7, wal.lastIndex());
            List<LogEntry> expected = new java.util.ArrayList<>(entries(1, 5, 1));
            expected.addAll(entries(6, 7, 2));
            assertEquals(expected, all(wal));
            wal.append(entries(8, 9, 2), null);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(9, wal.lastIndex());
            assertEquals(entry(9, 2), wal.entries(9, 10, 0).get(0));
        }
    }

    @Test
    void rolloverAndReleaseDeleteOldSegmentsAndSurviveReopen() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            for (long i = 1; i <= 400; i++) {
                wal.append(List.of(entry(i, 1 + i / 100)), new HardState(1 + i / 100, 0, i - 1));
            }
            wal.sync();
            int before = wal.segmentCountForTest();
            assertTrue(before > 5, "expected several segments, got " + before);
            wal.releaseTo(300, wal.term(300));
            assertEquals(301, wal.firstIndex());
            assertEquals(4, wal.term(300));
            assertTrue(wal.segmentCountForTest() < before / 2, "segments left: " + wal.segmentCountForTest());
            assertEquals(wal.segmentCountForTest(), segmentFiles(dir).size());
            assertThrows(IndexOutOfBoundsException.class, () -> wal.entries(300, 302, 100));
            assertThrows(IndexOutOfBoundsException.class, () -> wal.term(299));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(301, wal.firstIndex());
            assertEquals(400, wal.lastIndex());
            assertEquals(4, wal.term(300));
            assertEquals(new HardState(5, 0, 399), wal.hardState());
            assertEquals(entries(301, 399, 4), wal.entries(301, 400, Long.MAX_VALUE));
            wal.releaseTo(400, 5);
            assertEquals(1, wal.segmentCountForTest());
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(401, wal.firstIndex());
            assertEquals(400, wal.lastIndex());
            assertEquals(5, wal.term(400));
            wal.append(List.of(entry(401, 5)), null);
        }
    }

    @Test
    void releaseBeyondTheLogOrWithAnotherTermEmptiesIt() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(entries(1, 10, 1), null);
            wal.releaseTo(5, 2); // the log has term 1 at 5: a leader's snapshot replaces the log
            assertEquals(6, wal.firstIndex());
            assertEquals(5, wal.lastIndex());
            assertThrows(IllegalArgumentException.class, () -> wal.append(List.of(entry(7, 2)), null));
            wal.append(List.of(entry(6, 2)), null);
            wal.releaseTo(20, 3);
            assertEquals(20, wal.lastIndex());
            assertEquals(3, wal.term(20));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(21, wal.firstIndex());
            assertEquals(20, wal.lastIndex());
            wal.releaseTo(20, 3); // already released: nothing happens
            assertThrows(IllegalArgumentException.class, () -> wal.releaseTo(20, 4));
        }
    }

    @Test
    void entriesHonourMaxBytesButReturnAtLeastOne() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(1 << 20, false, 0))) {
            for (long i = 1; i <= 10; i++) {
                wal.append(List.of(new LogEntry(i, 1, new byte[100])), null);
            }
            assertEquals(1, wal.entries(1, 11, 0).size());
            assertEquals(1, wal.entries(1, 11, 199).size());
            assertEquals(2, wal.entries(1, 11, 200).size());
            assertEquals(10, wal.entries(1, 11, 1000).size());
            assertEquals(3, wal.entries(4, 7, Long.MAX_VALUE).size());
            assertEquals(4, wal.entries(4, 11, 450).get(0).index());
            assertThrows(IndexOutOfBoundsException.class, () -> wal.entries(0, 2, 100));
            assertThrows(IndexOutOfBoundsException.class, () -> wal.entries(5, 12, 100));
        }
    }

    @Test
    void rejectsAppendsThatBreakTheLog() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(entries(1, 5, 2), new HardState(2, 1, 3));
            assertThrows(IllegalArgumentException.class, () -> wal.append(List.of(entry(7, 2)), null), "gap");
            assertThrows(
                    IllegalArgumentException.class, () -> wal.append(List.of(entry(6, 1)), null), "term backwards");
            assertThrows(IllegalArgumentException.class, () -> wal.append(List.of(entry(6, 2), entry(8, 2)), null));
            assertThrows(IllegalArgumentException.class, () -> wal.append(List.of(), new HardState(1, 0, 3)));
            assertThrows(IllegalArgumentException.class, () -> wal.append(List.of(), new HardState(2, 1, 2)));
            wal.releaseTo(3, 2);
            assertThrows(IllegalArgumentException.class, () -> wal.append(List.of(entry(3, 2)), null), "released");
            assertEquals(5, wal.lastIndex());
        }
    }

    @Test
    void entryLargerThanASegmentGetsItsOwnSegment() throws IOException {
        byte[] big = new byte[10_000];
        new java.util.Random(1).nextBytes(big);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            wal.append(entries(1, 3, 1), null);
            wal.append(List.of(new LogEntry(4, 1, big)), null);
            wal.append(entries(5, 6, 1), null);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(new LogEntry(4, 1, big), wal.entries(4, 5, 0).get(0));
            assertEquals(6, wal.lastIndex());
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefused() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small())) {
            assertEquals(0, wal.lastIndex());
            IOException e = assertThrows(IOException.class, () -> WriteAheadLog.open(dir, small()));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void unsyncedGroupsAreLostWholeOrKeptWhole() throws IOException {
        WriteAheadLog wal = WriteAheadLog.open(dir, small());
        wal.append(entries(1, 3, 1), new HardState(1, 0, 1));
        wal.sync();
        wal.append(entries(4, 6, 1), new HardState(1, 0, 4));
        wal.crashForTest(); // never flushed: the second group is lost
        try (WriteAheadLog reopened = WriteAheadLog.open(dir, small())) {
            assertEquals(3, reopened.lastIndex());
            assertEquals(new HardState(1, 0, 1), reopened.hardState());
            reopened.append(entries(4, 6, 1), new HardState(1, 0, 4));
            reopened.flushForTest();
            reopened.crashForTest(); // reached the OS: survives a process crash
        }
        try (WriteAheadLog reopened = WriteAheadLog.open(dir, small())) {
            assertEquals(6, reopened.lastIndex());
            assertEquals(new HardState(1, 0, 4), reopened.hardState());
        }
    }
}
