package io.etcdj.server.rpc;

import com.google.protobuf.ByteString;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The events etcd must report, computed from the writes alone: replays the acknowledged writes in revision order
 * over a map of live keys, as etcd's store would, and yields each revision's events in operation order (a range
 * delete in key order), with prev_kv as etcd reports it.
 */
final class WatchModel {
    /** One change inside a write request. */
    sealed interface Op permits Put, Delete {}

    record Put(String key, String value) implements Op {}

    /** Deletes [from, to), or the single key {@code from} when {@code to} is null. */
    record Delete(String from, String to) implements Op {}

    /** An acknowledged write request that changed something, at the revision its response reported. */
    record Write(long revision, List<Op> ops) {}

    private final TreeMap<String, KeyValue> live = new TreeMap<>();
    private final Map<Long, List<Event>> byRevision = new TreeMap<>();

    /** Replays {@code writes} (any order) on top of an empty store at {@code baseRevision}. */
    WatchModel(long baseRevision, List<Write> writes) {
        List<Write> sorted = new ArrayList<>(writes);
        sorted.sort(Comparator.comparingLong(Write::revision));
        long expected = baseRevision + 1;
        for (Write w : sorted) {
            if (w.revision() != expected) {
                throw new AssertionError(
                        "acknowledged revisions are not consecutive: expected " + expected + ", got " + w.revision());
            }
            List<Event> events = apply(w.revision(), w.ops());
            if (events.isEmpty()) {
                throw new AssertionError("write at " + w.revision() + " changed nothing in the model: " + w);
            }
            byRevision.put(w.revision(), events);
            expected++;
        }
    }

    private List<Event> apply(long rev, List<Op> ops) {
        List<Event> events = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Put p) {
                KeyValue prev = live.get(p.key());
                KeyValue kv = KeyValue.newBuilder()
                        .setKey(bs(p.key()))
                        .setValue(bs(p.value()))
                        .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
                        .setModRevision(rev)
                        .setVersion(prev == null ? 1 : prev.getVersion() + 1)
                        .build();
                live.put(p.key(), kv);
                Event.Builder e =
                        Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
                if (prev != null) {
                    e.setPrevKv(prev);
                }
                events.add(e.build());
            } else if (op instanceof Delete d) {
                Map<String, KeyValue> doomed = d.to() == null
                        ? (live.containsKey(d.from()) ? Map.of(d.from(), live.get(d.from())) : Map.of())
                        : new TreeMap<>(live.subMap(d.from(), d.to()));
                for (KeyValue prev : new TreeMap<>(doomed).values()) {
                    live.remove(prev.getKey().toStringUtf8());
                    events.add(Event.newBuilder()
                            .setType(Event.EventType.DELETE)
                            .setKv(KeyValue.newBuilder().setKey(prev.getKey()).setModRevision(rev))
                            .setPrevKv(prev)
                            .build());
                }
            }
        }
        return events;
    }

    /** Every event from {@code fromRevision} on, in order, that a watcher with these settings must see. */
    List<Event> expected(long fromRevision, String key, String end, boolean noPut, boolean noDelete, boolean prevKv) {
        List<Event> out = new ArrayList<>();
        for (Map.Entry<Long, List<Event>> r : byRevision.entrySet()) {
            if (r.getKey() < fromRevision) {
                continue;
            }
            for (Event e : r.getValue()) {
                String k = e.getKv().getKey().toStringUtf8();
                boolean inRange =
                        end == null ? k.equals(key) : k.compareTo(key) >= 0 && (end.isEmpty() || k.compareTo(end) < 0);
                boolean filtered = e.getType() == Event.EventType.PUT ? noPut : noDelete;
                if (inRange && !filtered) {
                    out.add(prevKv ? e : e.toBuilder().clearPrevKv().build());
                }
            }
        }
        return out;
    }

    long lastRevision() {
        return byRevision.isEmpty() ? 0 : ((TreeMap<Long, List<Event>>) byRevision).lastKey();
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
