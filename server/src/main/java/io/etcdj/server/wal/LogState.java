package io.etcdj.server.wal;

import java.util.List;

/**
 * What the log holds, in memory: hard state, release point, and the term and position of every
 * unreleased entry. The same {@link #apply} rebuilds it from records at start-up and advances it
 * as records are written, so replay and the live log cannot disagree. Confined to the log's
 * single caller thread.
 *
 * <p>Invariants: releaseIndex <= lastIndex; terms never decrease along the log; hard state term
 * and commit never decrease.
 */
final class LogState {
    private HardState hardState = HardState.EMPTY;
    private long releaseIndex;
    private long releaseTerm;
    private final EntryIndex entries = new EntryIndex(0);
    /** Whether the first segment-start record was applied. */
    private boolean started;

    HardState hardState() {
        return hardState;
    }

    long releaseIndex() {
        return releaseIndex;
    }

    long releaseTerm() {
        return releaseTerm;
    }

    long firstIndex() {
        return releaseIndex + 1;
    }

    long lastIndex() {
        return entries.lastIndex();
    }

    /** Term of the entry at index, for releaseIndex <= index <= lastIndex; may be UNKNOWN during replay. */
    long term(long index) {
        if (index == releaseIndex) {
            return releaseTerm;
        }
        if (index < releaseIndex || index > lastIndex()) {
            throw new IndexOutOfBoundsException(
                    "no term for index " + index + ": the log holds (" + releaseIndex + ", " + lastIndex() + "]");
        }
        return entries.term(index);
    }

    long lastTerm() {
        return term(lastIndex());
    }

    long position(long index) {
        return entries.position(index);
    }

    /** The record that starts a new segment: the state as of now. */
    WalRecord.SegmentStart segmentStart() {
        return new WalRecord.SegmentStart(lastIndex(), lastTerm(), releaseIndex, releaseTerm, hardState);
    }

    /** First index whose entry is known to exist but not where (its segment was deleted), or -1. */
    long firstMissingEntry() {
        return entries.firstUnknownPosition();
    }

    /**
     * Checks a proposed append without changing anything.
     *
     * @throws IllegalArgumentException describing the first violation
     */
    void checkAppend(List<LogEntry> batch, HardState hardStateOrNull) {
        long expected = -1;
        long prevTerm = -1;
        for (LogEntry e : batch) {
            if (expected < 0) {
                long first = e.index();
                if (first <= releaseIndex) {
                    throw new IllegalArgumentException(
                            "entry " + first + " is at or below the released index " + releaseIndex);
                }
                if (first > lastIndex() + 1) {
                    throw new IllegalArgumentException(
                            "entry " + first + " leaves a gap after the last index " + lastIndex());
                }
                expected = first;
                prevTerm = term(first - 1);
            }
            if (e.index() != expected) {
                throw new IllegalArgumentException(
                        "entries are not contiguous: expected " + expected + ", got " + e.index());
            }
            if (e.term() < prevTerm) {
                throw new IllegalArgumentException("entry " + e.index() + " has term " + e.term() + ", below the term "
                        + prevTerm + " of the entry before it");
            }
            if (e.data().length > WalFormat.MAX_PAYLOAD_BYTES - 16) {
                throw new IllegalArgumentException("entry " + e.index() + " has " + e.data().length
                        + " data bytes, more than the limit " + (WalFormat.MAX_PAYLOAD_BYTES - 16));
            }
            expected++;
            prevTerm = e.term();
        }
        if (hardStateOrNull != null) {
            checkHardState(hardStateOrNull);
        }
    }

    private void checkHardState(HardState next) {
        if (next.term() < hardState.term() || next.commit() < hardState.commit()) {
            throw new IllegalArgumentException(
                    "hard state " + next + " moves term or commit backwards from " + hardState);
        }
    }

    /**
     * The release record for releasing through {@code index} at {@code term}, or null when that is
     * already released. The suffix above index is kept only if the log holds index with that term;
     * otherwise (index beyond the log or a different term) the log is emptied.
     *
     * @throws IllegalArgumentException when index was released with another term, or term is lower
     *     than the current release term
     */
    WalRecord.Release planRelease(long index, long term) {
        if (index < releaseIndex) {
            return null;
        }
        if (index == releaseIndex) {
            if (term != releaseTerm) {
                throw new IllegalArgumentException(
                        "index " + index + " was released with term " + releaseTerm + ", not " + term);
            }
            return null;
        }
        if (term < releaseTerm || term < 1) {
            throw new IllegalArgumentException(
                    "release term " + term + " is below the current release term " + releaseTerm);
        }
        boolean keepsSuffix = index < lastIndex() && entries.term(index) == term;
        return new WalRecord.Release(index, term, keepsSuffix);
    }

    /**
     * Applies one record written at {@code position}.
     *
     * @throws IllegalStateException when the record contradicts the state (corruption on replay)
     */
    void apply(WalRecord record, long position) {
        switch (record) {
            case WalRecord.SegmentStart s -> applyStart(s);
            case WalRecord.Entry e -> applyEntry(e.entry(), position);
            case WalRecord.State s -> {
                requireStarted();
                try {
                    checkHardState(s.hardState());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(e.getMessage());
                }
                hardState = s.hardState();
            }
            case WalRecord.Release r -> applyRelease(r);
        }
    }

    private void applyStart(WalRecord.SegmentStart s) {
        if (!started) {
            if (s.prevLastIndex() < s.releaseIndex()
                    || (s.prevLastIndex() == s.releaseIndex() && s.prevLastTerm() != s.releaseTerm())) {
                throw new IllegalStateException("inconsistent segment-start record " + s);
            }
            if (s.prevLastIndex() - s.releaseIndex() > Integer.MAX_VALUE / 4) {
                throw new IllegalStateException("segment-start record claims " + (s.prevLastIndex() - s.releaseIndex())
                        + " unreleased entries before it");
            }
            started = true;
            hardState = s.hardState();
            releaseIndex = s.releaseIndex();
            releaseTerm = s.releaseTerm();
            entries.reset(releaseIndex);
            // Entries up to prevLastIndex were in segments that have since been deleted; they must all be
            // released or overwritten by the records that follow (checked after replay).
            for (long i = releaseIndex + 1; i <= s.prevLastIndex(); i++) {
                entries.put(i, i == s.prevLastIndex() ? s.prevLastTerm() : EntryIndex.UNKNOWN, EntryIndex.UNKNOWN);
            }
            return;
        }
        WalRecord.SegmentStart expected = segmentStart();
        if (!expected.equals(s)) {
            throw new IllegalStateException(
                    "segment-start record " + s + " disagrees with the preceding segments, which end at " + expected);
        }
    }

    private void applyEntry(LogEntry e, long position) {
        requireStarted();
        long i = e.index();
        if (i <= releaseIndex || i > lastIndex() + 1) {
            throw new IllegalStateException(
                    "entry " + i + " outside (" + releaseIndex + ", " + (lastIndex() + 1) + "]");
        }
        long prevTerm = term(i - 1);
        if (prevTerm != EntryIndex.UNKNOWN && e.term() < prevTerm) {
            throw new IllegalStateException(
                    "entry " + i + " has term " + e.term() + " below the previous term " + prevTerm);
        }
        entries.put(i, e.term(), position);
    }

    private void applyRelease(WalRecord.Release r) {
        requireStarted();
        if (r.index() <= releaseIndex) {
            throw new IllegalStateException(
                    "release to " + r.index() + " is not above the release point " + releaseIndex);
        }
        if (r.keepsSuffix()) {
            if (r.index() >= lastIndex()) {
                throw new IllegalStateException(
                        "release to " + r.index() + " keeps a suffix but the log ends at " + lastIndex());
            }
            long known = entries.term(r.index());
            if (known != EntryIndex.UNKNOWN && known != r.term()) {
                throw new IllegalStateException(
                        "release to " + r.index() + " at term " + r.term() + " but the entry has term " + known);
            }
            entries.dropThrough(r.index());
        } else {
            entries.reset(r.index());
        }
        releaseIndex = r.index();
        releaseTerm = r.term();
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("record before the segment-start record");
        }
    }
}
