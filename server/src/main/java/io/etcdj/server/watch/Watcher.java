package io.etcdj.server.watch;

import io.etcdj.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One watch: a key range, filters and options, and how far its events have been handed to its stream.
 *
 * <p>States (all transitions under the hub lock):
 * <pre>
 *   create, start 0 or in the future  -> SYNCED    gets each new revision's events as it is committed
 *   create, start in the past         -> UNSYNCED  the catch-up worker feeds it past revisions
 *   SYNCED   -- its stream's buffer full  -> UNSYNCED (nextRevision = the revision that did not fit)
 *   UNSYNCED -- caught up to the hub      -> SYNCED
 *   any      -- cancel, compaction, stream closed -> CANCELED (final)
 * </pre>
 * Invariant: every matching event below ({@code nextRevision}, {@code nextSub}) has been queued on the stream, none at
 * or above it. {@code nextSub} is 0 but while a revision too large for one read is handed out in pieces.
 */
final class Watcher {
    /** Where a watcher stands; see the class comment. */
    enum State {
        SYNCED,
        UNSYNCED,
        CANCELED
    }

    final WatchStream stream;
    final long id;
    final WatchRange range;
    final boolean noPut;
    final boolean noDelete;
    final boolean prevKv;
    final boolean progressNotify;
    final boolean fragment;

    /** Guarded by the hub lock. */
    State state;
    /** The next revision this watcher has not been given; guarded by the hub lock. */
    long nextRevision;
    /** The first change of {@code nextRevision} not yet given (0 = all of it); guarded by the hub lock. */
    long nextSub;
    /** Whether events were queued since the last progress tick (etcd skips that tick); guarded by the hub lock. */
    boolean eventsSinceTick;
    /** Live responses of this watcher in its stream's queue; guarded by the stream's queue lock. */
    int queuedResponses;
    /**
     * This watcher's newest response still in its stream's queue (null once sent): later events may join it; guarded
     * by the stream's queue lock.
     */
    WatchStream.EventsOut queuedOut;

    Watcher(
            WatchStream stream,
            long id,
            WatchRange range,
            boolean noPut,
            boolean noDelete,
            boolean prevKv,
            boolean progressNotify,
            boolean fragment,
            long nextRevision) {
        this.stream = stream;
        this.id = id;
        this.range = range;
        this.noPut = noPut;
        this.noDelete = noDelete;
        this.prevKv = prevKv;
        this.progressNotify = progressNotify;
        this.fragment = fragment;
        this.nextRevision = nextRevision;
    }

    /** The events this watcher's filters let through, in order; {@code events} itself when it drops none. */
    List<Event> filter(List<Event> events) {
        return !noPut && !noDelete ? events : keep(events, this::passesFilters);
    }

    /** The events of a revision that this watcher wants: in its range and let through by its filters. */
    List<Event> select(List<Event> events) {
        return keep(events, e -> range.contains(e.getKv().getKey()) && passesFilters(e));
    }

    private boolean passesFilters(Event e) {
        return e.getType() == Event.EventType.PUT ? !noPut : !noDelete;
    }

    /** The events {@code wanted} accepts, in order; {@code events} itself when it accepts all. */
    private static List<Event> keep(List<Event> events, Predicate<Event> wanted) {
        List<Event> kept = null;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            boolean want = wanted.test(e);
            if (!want && kept == null) {
                kept = new ArrayList<>(events.subList(0, i));
            } else if (want && kept != null) {
                kept.add(e);
            }
        }
        return kept == null ? events : kept;
    }

    @Override
    public String toString() {
        return "watcher " + id + " " + state + " next=" + nextRevision;
    }
}
