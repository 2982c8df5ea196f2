package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory storage: appends, truncation of conflicting suffixes, snapshots and compaction. */
class MemoryStorageTest {

    private static Entry e(long term, long index) {
        return new Entry(term, index, EntryType.NORMAL, new byte[] {(byte) index});
    }

    @Test
    void appendTruncatesAConflictingSuffixAndSkipsCompactedEntries() {
        MemoryStorage s = new MemoryStorage();
        s.append(List.of(e(1, 1), e(1, 2), e(1, 3)));
        s.append(List.of(e(2, 2)));
        assertEquals(2, s.lastIndex());
        assertEquals(2, s.term(2));
        s.createSnapshot(2, ConfState.EMPTY, new byte[0]);
        s.compact(2);
        s.append(List.of(e(2, 1), e(2, 2), e(3, 3)));
        assertEquals(3, s.firstIndex());
        assertEquals(3, s.lastIndex());
        assertEquals(3, s.term(3));
        assertThrows(IllegalArgumentException.class, () -> s.append(List.of(e(3, 9))));
    }

    @Test
    void entriesRespectBoundsAndTheSizeLimitButReturnAtLeastOne() {
        MemoryStorage s = new MemoryStorage();
        s.append(List.of(e(1, 1), e(1, 2), e(1, 3), e(1, 4)));
        assertEquals(4, s.entries(1, 5, Long.MAX_VALUE).size());
        assertEquals(1, s.entries(1, 5, 1).size());
        assertEquals(2, s.entries(1, 5, 2 * (Entry.OVERHEAD_BYTES + 1)).size());
        assertThrows(LogUnavailableException.class, () -> s.entries(1, 6, Long.MAX_VALUE));
        s.compact(2);
        assertThrows(LogCompactedException.class, () -> s.entries(2, 4, Long.MAX_VALUE));
        assertEquals(1, s.term(2), "the compaction point still answers its term");
        assertThrows(LogCompactedException.class, () -> s.term(1));
    }

    @Test
    void applySnapshotReplacesEverythingUnlessItIsOlder() {
        MemoryStorage s = new MemoryStorage();
        s.append(List.of(e(1, 1), e(1, 2)));
        Snapshot snap = new Snapshot(new SnapshotMetadata(10, 3, ConfState.ofVoters(List.of(1L))), new byte[] {1});
        assertTrue(s.applySnapshot(snap));
        assertEquals(11, s.firstIndex());
        assertEquals(10, s.lastIndex());
        assertEquals(3, s.term(10));
        assertEquals(snap.metadata().confState(), s.initialState().confState());
        assertFalse(s.applySnapshot(new Snapshot(new SnapshotMetadata(5, 2, ConfState.EMPTY), new byte[0])));
    }
}
