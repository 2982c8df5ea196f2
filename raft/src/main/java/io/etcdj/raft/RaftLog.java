package io.etcdj.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A member's view of the log: durable entries read through {@link Storage} followed by the
 * {@link UnstableLog}, with the commit and apply positions. Invariant: applied <= committed <= lastIndex.
 */
final class RaftLog {
    private final Storage storage;
    private final UnstableLog unstable;
    private long committed;
    private long applied;

    RaftLog(Storage storage) {
        this.storage = storage;
        long first = storage.firstIndex();
        this.unstable = new UnstableLog(storage.lastIndex() + 1);
        this.committed = first - 1;
        this.applied = first - 1;
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    UnstableLog unstable() {
        return unstable;
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i >= 0 ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i >= 0 ? i : storage.lastIndex();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /** Term of the entry at {@code index}, or 0 if compacted away or beyond the end. */
    long term(long index) {
        long t = unstable.maybeTerm(index);
        if (t >= 0) {
            return t;
        }
        if (index < firstIndex() - 1 || index > lastIndex()) {
            return 0;
        }
        try {
            return storage.term(index);
        } catch (LogCompactedException | LogUnavailableException e) {
            return 0;
        }
    }

    boolean matchTerm(long index, long term) {
        return term(index) == term;
    }

    /** Raft's "at least as up to date" comparison of a candidate's last entry with ours. */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        long myTerm = lastTerm();
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
    }

    /**
     * Appends a leader's entries after {@code (prevIndex, prevTerm)} if our log has that entry.
     *
     * @return the index of the last new entry, or -1 if the log does not match at {@code prevIndex}
     */
    long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + ents.size();
        long conflict = findConflict(ents);
        if (conflict != 0) {
            if (conflict <= committed) {
                throw new IllegalStateException("invariant: entry " + conflict + " conflicts with committed entry"
                        + " (committed " + committed + ")");
            }
            append(ents.subList((int) (conflict - (prevIndex + 1)), ents.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** Index of the first entry whose term differs from (or is missing in) our log, else 0. */
    private long findConflict(List<Entry> ents) {
        for (Entry e : ents) {
            if (!matchTerm(e.index(), e.term())) {
                return e.index();
            }
        }
        return 0;
    }

    /**
     * The largest index at or below {@code index} whose term is at most {@code term} (fast backtracking:
     * every entry after it has a term that cannot match).
     */
    long findConflictByTerm(long index, long term) {
        long first = firstIndex() - 1;
        while (index > first) {
            long t = term(index);
            if (t <= term) {
                return index;
            }
            index--;
        }
        return index;
    }

    /** Appends entries (after truncating a conflicting uncommitted suffix); returns the new last index. */
    long append(List<Entry> ents) {
        if (ents.isEmpty()) {
            return lastIndex();
        }
        long after = ents.get(0).index() - 1;
        if (after < committed) {
            throw new IllegalStateException("invariant: append after " + after + " is below committed " + committed);
        }
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    void commitTo(long index) {
        if (index > committed) {
            if (index > lastIndex()) {
                throw new IllegalStateException("invariant: commit " + index + " beyond last index " + lastIndex());
            }
            committed = index;
        }
    }

    /** Commits {@code index} if it is from {@code term} (the leader's rule: count only current-term entries). */
    boolean maybeCommit(long index, long term) {
        if (index > committed && term(index) == term) {
            commitTo(index);
            return true;
        }
        return false;
    }

    void appliedTo(long index) {
        if (index == 0) {
            return;
        }
        if (index > committed || index < applied) {
            throw new IllegalStateException(
                    "invariant: applied " + index + " outside [" + applied + "," + committed + "]");
        }
        applied = index;
    }

    void stableTo(long index, long term) {
        unstable.stableTo(index, term);
    }

    void stableSnapTo(long index) {
        unstable.stableSnapTo(index);
    }

    /** Replaces the log with a snapshot from the leader. */
    void restore(Snapshot snap) {
        committed = snap.metadata().index();
        unstable.restore(snap);
    }

    /** After a snapshot is installed, everything it covers counts as applied. */
    void appliedSnapshot(long index) {
        if (index > applied) {
            applied = index;
        }
    }

    /** The snapshot a lagging follower needs: a pending one, else the storage's. */
    Snapshot snapshot() {
        Snapshot s = unstable.snapshot();
        return s != null ? s : storage.snapshot();
    }

    boolean hasNextCommittedEntries() {
        long lo = Math.max(applied + 1, firstIndex());
        return committed + 1 > lo;
    }

    /** Committed entries not yet applied, at most {@code maxSizeBytes} (but at least one). */
    List<Entry> nextCommittedEntries(long maxSizeBytes) {
        long lo = Math.max(applied + 1, firstIndex());
        if (committed + 1 <= lo) {
            return List.of();
        }
        return slice(lo, committed + 1, maxSizeBytes);
    }

    /**
     * Entries in {@code [lo, hi)}, at most {@code maxSizeBytes} but at least one.
     *
     * @throws LogCompactedException if {@code lo} is compacted
     */
    List<Entry> slice(long lo, long hi, long maxSizeBytes) {
        long first = firstIndex();
        if (lo < first) {
            throw new LogCompactedException(lo, first);
        }
        if (hi > lastIndex() + 1 || lo > hi) {
            throw new IllegalStateException(
                    "invariant: slice [" + lo + "," + hi + ") out of bound [" + first + "," + lastIndex() + "]");
        }
        if (lo == hi) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        long sizeBytes = 0;
        long uoff = unstable.offset();
        if (lo < uoff) {
            List<Entry> stored = storage.entries(lo, Math.min(hi, uoff), maxSizeBytes);
            for (Entry e : stored) {
                sizeBytes += e.sizeBytes();
                out.add(e);
            }
            if (stored.size() < Math.min(hi, uoff) - lo) {
                return out; // cut by size
            }
        }
        if (hi > uoff) {
            for (Entry e : unstable.slice(Math.max(lo, uoff), hi)) {
                sizeBytes += e.sizeBytes();
                if (!out.isEmpty() && sizeBytes > maxSizeBytes) {
                    break;
                }
                out.add(e);
            }
        }
        return out;
    }
}
