package io.etcdj.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Raft log entry: the term of the leader that created it, its position in the log, and its payload.
 *
 * <p>The payload array is owned by the entry once built: callers must not mutate it afterwards.
 *
 * @param term  term of the leader that appended the entry (at least 1 for real entries)
 * @param index position in the log, starting at 1
 * @param type  what the payload is
 * @param data  payload, never null (may be empty)
 */
public record Entry(long term, long index, EntryType type, byte[] data) {

    /** Bytes the core charges for an entry beyond its payload, for size limits. */
    static final int OVERHEAD_BYTES = 24;

    /** Checks the fields. */
    public Entry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("negative term or index: " + term + "/" + index);
        }
    }

    /** Size charged against message, inflight and uncommitted limits. */
    public long sizeBytes() {
        return data.length + OVERHEAD_BYTES;
    }

    /** A copy of this entry placed at another term and index (used when a leader appends a proposal). */
    Entry at(long newTerm, long newIndex) {
        return new Entry(newTerm, newIndex, type, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e
                && e.term == term
                && e.index == index
                && e.type == type
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, type) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return index + "@" + term + (type == EntryType.CONF_CHANGE ? "cc" : "") + "[" + data.length + "B]";
    }
}
