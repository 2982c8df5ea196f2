package io.etcdj.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * An application snapshot: the state machine as of {@link SnapshotMetadata#index()}. The core never
 * looks inside {@code data}; an application whose snapshots are large may leave it empty and ship the
 * bytes itself, keyed by the metadata.
 *
 * @param metadata position and membership
 * @param data     opaque state machine image, never null
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
    /** The snapshot of a member that has none. */
    public static final Snapshot EMPTY = new Snapshot(SnapshotMetadata.EMPTY, new byte[0]);

    /** Checks the fields. */
    public Snapshot {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(data, "data");
    }

    /** Whether this is the position before any entry (no snapshot at all). */
    public boolean isEmpty() {
        return metadata.index() == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.metadata.equals(metadata) && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return metadata.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Snapshot[index=" + metadata.index() + ", term=" + metadata.term() + ", conf=" + metadata.confState()
                + ", " + data.length + "B]";
    }
}
