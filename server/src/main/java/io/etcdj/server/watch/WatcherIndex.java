package io.etcdj.server.watch;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The synced watchers, grouped so that a revision's events are matched once per distinct key or range rather than
 * once per watcher: single-key watchers by key (one hash lookup per event), range watchers by their exact range
 * (one containment test per event and distinct range; an interval tree would make that logarithmic, and is worth
 * it once many distinct ranges are common).
 *
 * <p>Not thread-safe: used under the hub lock.
 */
final class WatcherIndex {
    private final Map<ByteString, Set<Watcher>> byKey = new HashMap<>();
    private final Map<WatchRange, Set<Watcher>> byRange = new HashMap<>();
    private int size;

    void add(Watcher w) {
        Set<Watcher> group = w.range.isSingleKey()
                ? byKey.computeIfAbsent(w.range.key(), k -> new LinkedHashSet<>())
                : byRange.computeIfAbsent(w.range, r -> new LinkedHashSet<>());
        if (group.add(w)) {
            size++;
        }
    }

    void remove(Watcher w) {
        Map<?, Set<Watcher>> map = w.range.isSingleKey() ? byKey : byRange;
        Object groupKey = w.range.isSingleKey() ? w.range.key() : w.range;
        Set<Watcher> group = map.get(groupKey);
        if (group != null && group.remove(w)) {
            size--;
            if (group.isEmpty()) {
                map.remove(groupKey);
            }
        }
    }

    int size() {
        return size;
    }

    /** Every watcher in the index (a copy). */
    List<Watcher> all() {
        List<Watcher> out = new ArrayList<>(size);
        byKey.values().forEach(out::addAll);
        byRange.values().forEach(out::addAll);
        return out;
    }

    /** Receives each watcher's share of a revision: the events in its range, in their order (before filters). */
    interface Match {
        void matched(Watcher w, List<Event> inRange);
    }

    /**
     * Calls {@code out} for every watcher with at least one event of {@code events} in its range. The watchers are
     * copied first, so {@code out} may remove them from the index.
     */
    void match(List<Event> events, Match out) {
        if (size == 0) {
            return;
        }
        Map<Set<Watcher>, List<Event>> groups = new IdentityHashMap<>();
        for (Event e : events) {
            Set<Watcher> group = byKey.get(e.getKv().getKey());
            if (group != null) {
                groups.computeIfAbsent(group, g -> new ArrayList<>(1)).add(e);
            }
        }
        for (Map.Entry<WatchRange, Set<Watcher>> r : byRange.entrySet()) {
            for (Event e : events) {
                if (r.getKey().contains(e.getKv().getKey())) {
                    groups.computeIfAbsent(r.getValue(), g -> new ArrayList<>()).add(e);
                }
            }
        }
        for (Map.Entry<Set<Watcher>, List<Event>> g : groups.entrySet()) {
            List<Event> inRange = g.getValue().size() == events.size() ? events : List.copyOf(g.getValue());
            for (Watcher w : List.copyOf(g.getKey())) {
                out.matched(w, inRange);
            }
        }
    }
}
