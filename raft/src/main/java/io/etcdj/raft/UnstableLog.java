package io.etcdj.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of the log not yet durable: entries the application has not persisted (they go out in the next
 * {@link Ready}) and possibly a snapshot it has not installed. Indexes at or after {@link #offset} are
 * answered from here; earlier ones from {@link Storage}.
 */
final class UnstableLog {
    /** Snapshot received from a leader and not yet installed, or null. */
    private Snapshot snapshot;
    /** Entries from index {@link #offset}, contiguous. */
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** Index of entries.get(0), or of the next entry to come when empty. */
    private long offset;

    UnstableLog(long offset) {
        this.offset = offset;
    }

    long offset() {
        return offset;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    List<Entry> entries() {
        return entries;
    }

    /** First index known from a pending snapshot, or -1. */
    long maybeFirstIndex() {
        return snapshot == null ? -1 : snapshot.metadata().index() + 1;
    }

    /** Last index known here, or -1 if nothing is pending. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot == null ? -1 : snapshot.metadata().index();
    }

    /** Term at {@code index} if known here, else -1. */
    long maybeTerm(long index) {
        if (index < offset) {
            if (snapshot != null && snapshot.metadata().index() == index) {
                return snapshot.metadata().term();
            }
            return -1;
        }
        long last = maybeLastIndex();
        if (last < 0 || index > last) {
            return -1;
        }
        return entries.get((int) (index - offset)).term();
    }

    /** The entries up to {@code index} (whose term is {@code term}) are durable: forget them. */
    void stableTo(long index, long term) {
        long t = maybeTerm(index);
        if (t != term || index < offset) {
            return; // replaced by a newer leader's entries since the Ready was taken
        }
        entries.subList(0, (int) (index + 1 - offset)).clear();
        offset = index + 1;
    }

    /** The pending snapshot at {@code index} is installed: forget it. */
    void stableSnapTo(long index) {
        if (snapshot != null && snapshot.metadata().index() == index) {
            snapshot = null;
        }
    }

    /** Replaces everything with a snapshot to install. */
    void restore(Snapshot snap) {
        offset = snap.metadata().index() + 1;
        entries.clear();
        snapshot = snap;
    }

    /** Appends, first dropping any pending entries at or after the first new index. */
    void truncateAndAppend(List<Entry> ents) {
        long after = ents.get(0).index();
        if (after == offset + entries.size()) {
            entries.addAll(ents);
        } else if (after <= offset) {
            offset = after;
            entries.clear();
            entries.addAll(ents);
        } else {
            entries.subList((int) (after - offset), entries.size()).clear();
            entries.addAll(ents);
        }
    }

    /** Entries in {@code [lo, hi)}, which must lie within this log. */
    List<Entry> slice(long lo, long hi) {
        if (lo < offset || hi > offset + entries.size() || lo > hi) {
            throw new IllegalStateException("invariant: unstable slice [" + lo + "," + hi + ") outside [" + offset + ","
                    + (offset + entries.size()) + ")");
        }
        return entries.subList((int) (lo - offset), (int) (hi - offset));
    }
}
