package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.watch.ResponseSink;
import io.etcdj.server.watch.WatchRange;
import io.etcdj.server.watch.WatchStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Watchers on the members' own watch hubs: on one KV key or a prefix of keys, from the live revision or from a past
 * one, some on streams whose client stops reading for a while (so they fall behind and catch up from the store).
 * {@link #check} then holds each one to what was committed ({@link CommittedRevisions}): it saw exactly its range's
 * events, in order, from its start on: every one of them up to the end of the run if its member still runs, else
 * with no gap and no duplicate up to the last one it got. A watcher from a revision its member had compacted must be
 * canceled with the compacted error; a watcher canceled so (also one that fell behind a compaction) must have started
 * below the revision the error names, and what it saw before must be its range's events with no gap.
 */
final class WatchClients {
    private final SimEvents events;
    private final SplittableRandom random;
    private final Supplier<List<SimMember>> upMembers;
    private final CommittedRevisions committed;
    private final List<SimWatch> watches = new ArrayList<>();
    private boolean stopped;
    long eventsSeen;
    int checked;
    int unchecked;
    /** Watchers canceled with the compacted error (and checked). */
    int compactedChecked;

    WatchClients(
            SimEvents events,
            SplittableRandom random,
            Supplier<List<SimMember>> upMembers,
            CommittedRevisions committed) {
        this.events = events;
        this.random = random;
        this.upMembers = upMembers;
        this.committed = committed;
    }

    void start() {
        events.after(random.nextInt(200), null, this::open);
    }

    void stop() {
        stopped = true;
    }

    /** One watcher, and the client end of its stream. */
    private static final class SimWatch implements ResponseSink {
        final SimMember member;
        final SimMember.Incarnation incarnation;
        final WatchRange range;
        final long startRevision;
        /** The member's compacted revision when the watch was asked for. */
        final long compactedAtCreate;

        final List<Event> received = new ArrayList<>();
        WatchStream stream;
        boolean ready = true;
        long createdRevision = -1;
        /** The newest revision an event response said it covers. */
        long coveredRevision = -1;

        boolean canceled;
        /** The compact revision a cancellation named; 0: none. */
        long compactRevision;

        SimWatch(SimMember member, WatchRange range, long startRevision) {
            this.member = member;
            this.incarnation = member.live();
            this.range = range;
            this.startRevision = startRevision;
            this.compactedAtCreate = incarnation.store().compactedRevision();
        }

        boolean alive() {
            return member.isUp() && member.live() == incarnation;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void send(WatchResponse r) {
            if (r.getCreated()) {
                createdRevision = r.getHeader().getRevision();
            }
            if (r.getCanceled()) {
                canceled = true;
                compactRevision = r.getCompactRevision();
            }
            if (r.getEventsCount() > 0) {
                received.addAll(r.getEventsList());
                coveredRevision = Math.max(coveredRevision, r.getHeader().getRevision());
            }
        }

        @Override
        public void requestNext() {
            // one create request per stream: nothing more to let in
        }

        String describe() {
            return member.name() + " watching " + range.key().toStringUtf8()
                    + (range.end() == null ? "" : ".." + range.end().toStringUtf8()) + " from "
                    + (startRevision == 0 ? "live (created at " + createdRevision + ")" : startRevision);
        }
    }

    private void open() {
        if (stopped) {
            return;
        }
        events.after(50 + random.nextInt(400), null, this::open);
        List<SimMember> up = upMembers.get();
        if (up.isEmpty()) {
            return;
        }
        SimMember m = up.get(random.nextInt(up.size()));
        String key = switch (random.nextInt(3)) {
            case 0 -> SimClients.key(random.nextInt(2));
            case 1 -> "k";
            default -> "l";
        };
        ByteString k = ByteString.copyFromUtf8(key);
        ByteString end = key.length() > 1 ? ByteString.EMPTY : ByteString.copyFromUtf8(key.equals("k") ? "l" : "m");
        long current = m.live().store().currentRevision();
        long compacted = m.live().store().compactedRevision();
        long start = switch (random.nextInt(6)) {
            case 0, 1, 2 -> 0;
            case 3 -> compacted > 1 ? compacted - random.nextInt((int) Math.min(compacted - 1, 5) + 1) : 0;
            default -> Math.max(1, current - random.nextInt(30));
        };
        SimWatch w = new SimWatch(m, WatchRange.of(k, end), start);
        w.stream = m.live().hub().openStream(w, m.live().sender());
        events.trace("watch " + watches.size() + ": " + w.describe());
        m.live()
                .hub()
                .watch(
                        w.stream,
                        WatchCreateRequest.newBuilder()
                                .setKey(k)
                                .setRangeEnd(end)
                                .setStartRevision(start)
                                .build());
        watches.add(w);
        if (random.nextInt(3) == 0) { // a client that stops reading for a while
            w.ready = false;
            events.after(20 + random.nextInt(1000), null, () -> resume(w));
        }
    }

    private static void resume(SimWatch w) {
        if (!w.ready) {
            w.ready = true;
            if (w.alive()) {
                w.stream.onReady();
            }
        }
    }

    /** The end of the run: every client reads again, so that what is queued reaches it. */
    void resumeAll() {
        watches.forEach(WatchClients::resume);
    }

    /** Checks every watcher against the committed revisions up to {@code finalRevision}. */
    void check(long finalRevision) {
        for (int i = 0; i < watches.size(); i++) {
            SimWatch w = watches.get(i);
            eventsSeen += w.received.size();
            long from = w.startRevision != 0 ? w.startRevision : w.createdRevision + 1;
            if (w.alive() && w.startRevision != 0 && w.startRevision < w.compactedAtCreate && w.compactRevision <= 0) {
                throw new AssertionError("watch " + i + " (" + w.describe() + ") started below its member's compacted"
                        + " revision " + w.compactedAtCreate + " but got no compacted error");
            }
            if (w.canceled && w.compactRevision > 0 && w.createdRevision >= 0) {
                checkCompacted(i, w, from);
                continue;
            }
            if (w.createdRevision < 0 || w.canceled) {
                continue; // never created (its member crashed first), or canceled: nothing promised
            }
            long to = Math.max(from - 1, w.coveredRevision);
            if (w.alive()) {
                to = finalRevision;
            }
            List<Event> expected = expected(w.range, from, to);
            if (expected == null) {
                unchecked++;
                continue;
            }
            List<Event> got = w.received.stream().map(WatchClients::plain).toList();
            if (!got.equals(expected)) {
                throw new AssertionError("watch " + i + " (" + w.describe() + (w.alive() ? "" : ", member crashed")
                        + ") saw " + got.size() + " events where " + from + ".." + to + " committed "
                        + expected.size() + " in its range; first difference at " + firstDifference(got, expected)
                        + ":\n  saw      " + summary(got) + "\n  expected " + summary(expected));
            }
            checked++;
        }
    }

    /**
     * A watcher canceled for compaction: it needed history below the revision the error names, and what it got before
     * is the start of its range's events, with no gap.
     */
    private void checkCompacted(int i, SimWatch w, long from) {
        if (from >= w.compactRevision) {
            throw new AssertionError("watch " + i + " (" + w.describe() + ") was canceled as compacted at "
                    + w.compactRevision + " although it needed no revision below that");
        }
        if (w.compactRevision > w.incarnation.store().compactedRevision()) {
            throw new AssertionError("watch " + i + " (" + w.describe() + ") was canceled as compacted at "
                    + w.compactRevision + ", beyond its member's compacted revision "
                    + w.incarnation.store().compactedRevision());
        }
        List<Event> expected = expected(w.range, from, w.compactRevision - 1);
        if (expected == null) {
            unchecked++;
            return;
        }
        List<Event> got = w.received.stream().map(WatchClients::plain).toList();
        if (got.size() > expected.size() || !got.equals(expected.subList(0, got.size()))) {
            throw new AssertionError("watch " + i + " (" + w.describe() + ", canceled as compacted at "
                    + w.compactRevision + ") saw events that are not the start of its range's " + from + ".."
                    + (w.compactRevision - 1) + ":\n  saw      " + summary(got) + "\n  expected " + summary(expected));
        }
        compactedChecked++;
    }

    /** The events of {@code range} committed in revisions {@code from..to}; null when a revision is unknown. */
    private List<Event> expected(WatchRange range, long from, long to) {
        List<Event> out = new ArrayList<>();
        for (long r = from; r <= to; r++) {
            List<Event> evs = committed.events(r);
            if (evs == null) {
                return null;
            }
            for (Event e : evs) {
                if (range.contains(e.getKv().getKey())) {
                    out.add(plain(e));
                }
            }
        }
        return out;
    }

    private static Event plain(Event e) {
        return e.hasPrevKv() ? e.toBuilder().clearPrevKv().build() : e;
    }

    private static int firstDifference(List<Event> a, List<Event> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    private static String summary(List<Event> evs) {
        StringBuilder sb = new StringBuilder();
        for (Event e : evs) {
            sb.append(e.getType())
                    .append(' ')
                    .append(e.getKv().getKey().toStringUtf8())
                    .append('=')
                    .append(e.getKv().getValue().toStringUtf8())
                    .append('@')
                    .append(e.getKv().getModRevision())
                    .append(' ');
        }
        return sb.toString();
    }
}
