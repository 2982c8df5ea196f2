package io.etcdj.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link Storage} kept in memory: the tests' storage, and the read cache a server keeps in front of its
 * write-ahead log (it appends here what it has made durable).
 *
 * <p>Thread-safety: all state is guarded by {@code this}, so a driver thread may append while another
 * thread reads; the core itself is single-threaded.
 */
public final class MemoryStorage implements Storage {

    /** Guarded by this. */
    private HardState hardState = HardState.EMPTY;
    /** Guarded by this. */
    private Snapshot snapshot = Snapshot.EMPTY;
    /**
     * Guarded by this. Element 0 is a dummy entry carrying the snapshot's index and term; the real entries
     * follow it, contiguous.
     */
    private final ArrayList<Entry> entries = new ArrayList<>();

    /** An empty storage: no entries, no snapshot, term 0. */
    public MemoryStorage() {
        entries.add(new Entry(0, 0, EntryType.NORMAL, new byte[0]));
    }

    @Override
    public synchronized InitialState initialState() {
        return new InitialState(hardState, snapshot.metadata().confState());
    }

    /** Records the member's hard state. */
    public synchronized void setHardState(HardState state) {
        hardState = Objects.requireNonNull(state, "state");
    }

    /** The last hard state recorded. */
    public synchronized HardState hardState() {
        return hardState;
    }

    @Override
    public synchronized List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        long offset = offset();
        if (lo <= offset) {
            throw new LogCompactedException(lo, offset + 1);
        }
        if (hi > lastIndexLocked() + 1) {
            throw new LogUnavailableException(hi - 1, lastIndexLocked());
        }
        if (lo >= hi) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 1024));
        long sizeBytes = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = entries.get((int) (i - offset));
            sizeBytes += e.sizeBytes();
            if (!out.isEmpty() && sizeBytes > maxSizeBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized long term(long index) {
        long offset = offset();
        if (index < offset) {
            throw new LogCompactedException(index, offset + 1);
        }
        if (index > lastIndexLocked()) {
            throw new LogUnavailableException(index, lastIndexLocked());
        }
        return entries.get((int) (index - offset)).term();
    }

    @Override
    public synchronized long firstIndex() {
        return offset() + 1;
    }

    @Override
    public synchronized long lastIndex() {
        return lastIndexLocked();
    }

    @Override
    public synchronized Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces the whole content with {@code snap} (installing a snapshot received from a leader).
     *
     * @return false, changing nothing, if {@code snap} is not newer than the current snapshot
     */
    public synchronized boolean applySnapshot(Snapshot snap) {
        Objects.requireNonNull(snap, "snap");
        if (snap.metadata().index() <= snapshot.metadata().index()) {
            return false;
        }
        snapshot = snap;
        entries.clear();
        entries.add(new Entry(snap.metadata().term(), snap.metadata().index(), EntryType.NORMAL, new byte[0]));
        return true;
    }

    /**
     * Records an application snapshot taken at {@code index} (which must be in the log) and returns it.
     * Call {@link #compact(long)} afterwards to drop the entries it covers.
     */
    public synchronized Snapshot createSnapshot(long index, ConfState confState, byte[] data) {
        if (index <= snapshot.metadata().index()) {
            throw new IllegalArgumentException("snapshot index " + index + " not after current "
                    + snapshot.metadata().index());
        }
        if (index > lastIndexLocked()) {
            throw new IllegalArgumentException("snapshot index " + index + " beyond last index " + lastIndexLocked());
        }
        long term = entries.get((int) (index - offset())).term();
        snapshot = new Snapshot(new SnapshotMetadata(index, term, confState), data);
        return snapshot;
    }

    /** Drops the entries before {@code compactIndex}, which becomes the dummy position. */
    public synchronized void compact(long compactIndex) {
        long offset = offset();
        if (compactIndex <= offset) {
            return;
        }
        if (compactIndex > lastIndexLocked()) {
            throw new IllegalArgumentException(
                    "compact index " + compactIndex + " beyond last index " + lastIndexLocked());
        }
        int cut = (int) (compactIndex - offset);
        Entry at = entries.get(cut);
        entries.subList(0, cut).clear();
        entries.set(0, new Entry(at.term(), at.index(), EntryType.NORMAL, new byte[0]));
    }

    /**
     * Appends entries, first dropping any existing entries from the first new index on (a new leader may
     * overwrite an uncommitted suffix). Entries already compacted are skipped.
     */
    public synchronized void append(List<Entry> newEntries) {
        if (newEntries.isEmpty()) {
            return;
        }
        long first = offset() + 1;
        long last = newEntries.get(newEntries.size() - 1).index();
        if (last < first) {
            return;
        }
        int skip = (int) Math.max(0, first - newEntries.get(0).index());
        long start = newEntries.get(skip).index();
        if (start > lastIndexLocked() + 1) {
            throw new IllegalArgumentException("gap: appending " + start + " after last index " + lastIndexLocked());
        }
        entries.subList((int) (start - offset()), entries.size()).clear();
        long expect = start;
        for (int i = skip; i < newEntries.size(); i++) {
            Entry e = newEntries.get(i);
            if (e.index() != expect++) {
                throw new IllegalArgumentException("entries not contiguous at " + e.index());
            }
            entries.add(e);
        }
    }

    private long offset() {
        return entries.get(0).index();
    }

    private long lastIndexLocked() {
        return offset() + entries.size() - 1;
    }
}
