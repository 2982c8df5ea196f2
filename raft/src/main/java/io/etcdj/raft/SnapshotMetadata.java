package io.etcdj.raft;

import java.util.Objects;

/**
 * Where a snapshot stands in the log and the membership in force there.
 *
 * @param index     last log index the snapshot covers
 * @param term      term of the entry at {@code index}
 * @param confState membership after applying the log up to {@code index}
 */
public record SnapshotMetadata(long index, long term, ConfState confState) {
    /** The position before any entry. */
    public static final SnapshotMetadata EMPTY = new SnapshotMetadata(0, 0, ConfState.EMPTY);

    /** Checks the fields. */
    public SnapshotMetadata {
        Objects.requireNonNull(confState, "confState");
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("negative index or term: " + index + "/" + term);
        }
    }
}
