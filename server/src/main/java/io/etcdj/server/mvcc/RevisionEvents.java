package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.Event;
import java.util.List;

/**
 * The changes one store revision made, in the order made.
 *
 * @param events immutable; never empty (a revision exists only because something changed)
 * @param bytes  the events' serialized size, for memory accounting
 */
public record RevisionEvents(long revision, List<Event> events, long bytes) {
    public RevisionEvents {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("revision " + revision + " has no events");
        }
    }

    /** The events of {@code revision}, with their size measured. */
    public static RevisionEvents of(long revision, List<Event> events) {
        long bytes = 0;
        for (Event e : events) {
            bytes += e.getSerializedSize();
        }
        return new RevisionEvents(revision, List.copyOf(events), bytes);
    }
}
