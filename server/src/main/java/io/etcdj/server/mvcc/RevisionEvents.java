package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.Event;
import java.util.List;

/**
 * The changes one store revision made, in the order made, or a piece of them when the revision is too large to read
 * at once.
 *
 * @param events    immutable; never empty (a revision exists only because something changed)
 * @param bytes     the events' serialized size, for memory accounting
 * @param subs      each event's sub revision, or null when event i has sub i (a whole revision in memory)
 * @param resumeSub 0 when the revision ends here; else the sub revision its next piece starts at
 */
public record RevisionEvents(long revision, List<Event> events, long bytes, long[] subs, long resumeSub) {
    public RevisionEvents {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("revision " + revision + " has no events");
        }
        if (subs != null && subs.length != events.size()) {
            throw new IllegalArgumentException(
                    "revision " + revision + ": " + subs.length + " subs for " + events.size() + " events");
        }
    }

    /** The events of {@code revision}, whole, with their size measured. */
    public static RevisionEvents of(long revision, List<Event> events) {
        return new RevisionEvents(revision, List.copyOf(events), sizeOf(events), null, 0);
    }

    /** Events of {@code revision} read from the store with their sub revisions; a piece when resumeSub > 0. */
    static RevisionEvents read(long revision, List<Event> events, long[] subs, long resumeSub) {
        return new RevisionEvents(revision, List.copyOf(events), sizeOf(events), subs, resumeSub);
    }

    private static long sizeOf(List<Event> events) {
        long bytes = 0;
        for (Event e : events) {
            bytes += e.getSerializedSize();
        }
        return bytes;
    }

    /** True when more of this revision follows in a later read. */
    public boolean partial() {
        return resumeSub > 0;
    }

    /** The events from sub revision {@code fromSub} on. */
    public List<Event> eventsFrom(long fromSub) {
        if (fromSub <= 0) {
            return events;
        }
        int i = 0;
        while (i < events.size() && sub(i) < fromSub) {
            i++;
        }
        return events.subList(i, events.size());
    }

    private long sub(int i) {
        return subs == null ? i : subs[i];
    }
}
