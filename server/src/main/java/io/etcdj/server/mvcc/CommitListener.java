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
    CommitListener NONE = (revision, events) -> { };

    /**
     * @param revision the new store revision
     * @param events   its changes in the order made (immutable; a PUT carries prev_kv when the key existed, a
     *                 DELETE always carries the deleted version)
     */
    void committed(long revision, List<Event> events);
}
