package io.etcdj.server.wal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One raft log entry as the write-ahead log stores it.
 *
 * <p>{@code data} is opaque to the log (the raft layer's encoded entry). The log does not copy it:
 * after handing an entry to {@link WriteAheadLog#append}, the caller must not modify the array, and
 * arrays returned by {@link WriteAheadLog#entries} must be treated as read-only.
 *
 * <p>Unlike a plain record, equality and hashing compare {@code data} by content.
 *
 * @param index raft log index, at least 1
 * @param term raft term the entry was proposed in, at least 1
 * @param data opaque payload, never null (may be empty)
 */
public record LogEntry(long index, long term, byte[] data) {

    public LogEntry {
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, was " + index);
        }
        if (term < 1) {
            throw new IllegalArgumentException("term must be >= 1, was " + term);
        }
        Objects.requireNonNull(data, "data");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && e.index == index && e.term == term && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "LogEntry[index=" + index + ", term=" + term + ", dataBytes=" + data.length + "]";
    }
}
