package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.Event;
import java.util.List;

/**
 * Told of every committed store revision, on the applier thread, right after the revision became visible to
 * readers. An implementation must return quickly and must never block: the applier, and so every write, waits
 * for it.
 */
@FunctionalInterface
public interface CommitListener {
    /** A listener that ignores everything. */
    CommitListener NONE = (revision, events) -> {};

    /**
     * @param revision the new store revision
     * @param events   its changes in the order made (immutable; a PUT carries prev_kv when the key existed, a
     *                 DELETE always carries the deleted version)
     */
    void committed(long revision, List<Event> events);

    /**
     * A revision with too many events to hold in memory: they are in the store (read them with
     * {@link HistoryReader}); every changed key lies in [{@code lowestKey}, {@code highestKey}].
     */
    default void committedInStore(long revision, byte[] lowestKey, byte[] highestKey) {}
}
