package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every store revision any member committed, with its events, as the stores told their commit listeners. The first
 * member to commit a revision records it; every other commit of it (another member, or the same member replaying
 * its log after a crash) must carry the very same events, or the replicas have diverged. Watchers are checked
 * against this record.
 */
final class CommittedRevisions {
    private final Map<Long, List<Event>> byRevision = new HashMap<>();
    /** Revisions some member could not hold in memory (their events are in its store only). */
    private final Map<Long, Boolean> inStoreOnly = new HashMap<>();

    long commits;

    void committed(String member, long revision, List<Event> events) {
        commits++;
        List<Event> first = byRevision.putIfAbsent(revision, List.copyOf(events));
        if (first != null && !first.equals(events)) {
            throw new AssertionError("member " + member + " committed revision " + revision + " as " + events
                    + " but it was committed before as " + first);
        }
    }

    void committedInStore(long revision) {
        inStoreOnly.put(revision, true);
    }

    /**
     * The keys' versions as of {@code revision}, replayed from the committed events; null when a revision up to it is
     * unknown (every member that has it got it through a snapshot).
     */
    Map<ByteString, KeyValue> stateAt(long revision) {
        Map<ByteString, KeyValue> state = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
        for (long r = 1; r <= revision; r++) {
            List<Event> evs = events(r);
            if (evs == null) {
                return null;
            }
            for (Event e : evs) {
                if (e.getType() == Event.EventType.PUT) {
                    state.put(e.getKv().getKey(), e.getKv());
                } else {
                    state.remove(e.getKv().getKey());
                }
            }
        }
        return state;
    }

    /** The events of {@code revision}, or null when no member told them. */
    List<Event> events(long revision) {
        if (revision <= 1) {
            return List.of(); // a store starts at revision 1, as etcd's: the first change makes revision 2
        }
        return inStoreOnly.containsKey(revision) ? null : byRevision.get(revision);
    }
}
