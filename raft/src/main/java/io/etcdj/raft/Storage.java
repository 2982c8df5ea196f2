package io.etcdj.raft;

import java.util.List;

/**
 * The durable log as the core reads it. The application writes to it (from each {@link Ready}) and the core
 * only reads; every method is called from the core's single thread.
 *
 * <p>The log holds the entries from {@link #firstIndex()} to {@link #lastIndex()}; everything before
 * is covered by {@link #snapshot()}, whose index is at least {@code firstIndex() - 1} (an application may
 * keep entries behind its snapshot for slow followers). {@link #term(long)} answers for
 * {@code firstIndex() - 1} too. On restart the core treats {@code firstIndex() - 1} as applied, so a
 * restarting application should hand it a storage whose first index follows its snapshot.
 */
public interface Storage {

    /** The persisted state a member restarts from. */
    record InitialState(HardState hardState, ConfState confState) {}

    /** The last persisted {@link HardState} and the membership of the latest snapshot. */
    InitialState initialState();

    /**
     * Entries with indexes in {@code [lo, hi)}, cut off once their total size would exceed
     * {@code maxSizeBytes} (but always at least one entry when {@code lo < hi}).
     *
     * @throws LogCompactedException   if {@code lo < firstIndex()}
     * @throws LogUnavailableException if {@code hi > lastIndex() + 1}
     */
    List<Entry> entries(long lo, long hi, long maxSizeBytes);

    /**
     * The term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
     *
     * @throws LogCompactedException   if {@code index < firstIndex() - 1}
     * @throws LogUnavailableException if {@code index > lastIndex()}
     */
    long term(long index);

    /** Index of the first entry still in the log (snapshot index + 1). */
    long firstIndex();

    /** Index of the last entry, or {@code firstIndex() - 1} if the log is empty. */
    long lastIndex();

    /**
     * The latest snapshot, to send to a follower that needs it.
     *
     * @throws SnapshotUnavailableException if the application is still producing it; the core retries
     */
    Snapshot snapshot();
}
