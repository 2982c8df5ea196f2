package io.etcdj.server.watch;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.mvcc.CommitListener;
import io.etcdj.server.mvcc.HistoryReader;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.RevisionEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.LongFunction;

/**
 * A member's watchers and how events reach them. Every member runs its own hub off its own applier: the store
 * calls {@link #committed} with each new revision's events on the applier thread, and the hub hands them to the
 * matching synced watchers' streams without ever waiting (a stream that cannot take them makes its watcher
 * UNSYNCED). The {@link CatchUp} worker feeds UNSYNCED watchers from recent revisions in memory or from the store,
 * and makes them SYNCED again once they reach the hub's revision: no gap and no duplicate at the switch, because
 * both the switch and live delivery happen under the hub lock.
 *
 * <p>Threads: the applier ({@link #committed}), request handlers ({@link #watch}, {@link #cancel},
 * {@link #requestProgress}, {@link #closeStream}), the catch-up worker, the progress ticker, and the streams'
 * sender threads (which only take stream locks, then call {@link #roomFreed} or {@link #closeStream}).
 */
public final class WatchHub implements CommitListener, AutoCloseable {
    static final String RANGE_EMPTY = "mvcc: watcher range is empty";
    static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
    static final String TOO_MANY_WATCHERS = "etcdserver: too many watchers";

    private final MvccStore store;
    private final LongFunction<ResponseHeader> headers;
    private final int maxRequestBytes;
    private final WatchLimits limits;
    private final Executor sender;
    private final QueueBudget budget;
    private final CatchUp catchUp;
    /** The last header built; any thread may replace it (a benign race: each value is a valid header). */
    private volatile CachedHeader cachedHeader = new CachedHeader(Long.MIN_VALUE, null);

    /** Guards every field below, and the hub-guarded fields of streams and watchers. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The newest revision handed to watchers: every synced watcher has had all its events up to it. */
    private long lastRevision;

    private final WatcherIndex synced = new WatcherIndex();
    /** In the order they fell behind, which is the order catch-up serves them. */
    private final Set<Watcher> unsynced = new LinkedHashSet<>();

    private final Set<Watcher> progressWatchers = new HashSet<>();
    private final RecentEvents recent;
    private int watcherCount;
    /** How many times a synced watcher's stream refused live events and the watcher fell back to catch-up. */
    private long fallbacks;

    /**
     * @param headers         the response header for a revision (0: a header without revision)
     * @param maxRequestBytes --max-request-bytes: fragmented responses stay below it
     * @param sender          runs the streams' sends; must not run them on the calling thread in production
     * @param ticker          time for progress notifications, every {@code progressInterval}
     */
    public WatchHub(
            MvccStore store,
            LongFunction<ResponseHeader> headers,
            int maxRequestBytes,
            WatchLimits limits,
            Executor sender,
            Ticker ticker,
            Duration progressInterval) {
        this.store = store;
        this.headers = headers;
        this.maxRequestBytes = maxRequestBytes;
        this.limits = limits;
        this.sender = sender;
        this.recent = new RecentEvents(limits.recentRevisions(), limits.recentBytes());
        this.lastRevision = store.currentRevision();
        this.catchUp = new CatchUp(this, new HistoryReader(store), limits);
        this.budget = new QueueBudget(limits.totalQueueBytes(), catchUp::wake);
        ticker.every(progressInterval, this::progressTick);
    }

    /** Starts the catch-up worker thread (tests may instead call {@link #catchUpPass} themselves). */
    public WatchHub startCatchUp() {
        catchUp.start();
        return this;
    }

    /** Opens a stream whose responses go to {@code sink}, sent by the hub's sender threads. */
    public WatchStream openStream(ResponseSink sink) {
        return openStream(sink, sender);
    }

    /**
     * Opens a stream whose responses go to {@code sink}, sent on {@code streamSender} (the transport's own thread
     * for the call, so that sends need no hand-off; it must run tasks in order and never on the caller's thread).
     */
    public WatchStream openStream(ResponseSink sink, Executor streamSender) {
        return new WatchStream(this, sink, streamSender, limits);
    }

    /** The applier's hook: hands a new revision's events to the synced watchers. Never blocks on a client. */
    @Override
    public void committed(long revision, List<Event> events) {
        RevisionEvents r = RevisionEvents.of(revision, events);
        lock.lock();
        try {
            if (revision != lastRevision + 1) {
                throw new IllegalStateException("watch hub at revision " + lastRevision + " got " + revision);
            }
            lastRevision = revision;
            recent.add(r);
            StripCache strip = new StripCache();
            synced.match(r.events(), (w, inRange) -> deliverLive(w, inRange, revision, strip));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The applier's hook for a revision with too many events to hold: each synced watcher whose range overlaps the
     * changed keys falls back to reading the revision from the store, in pieces (the catch-up worker); the rest
     * have nothing at this revision. Never blocks.
     */
    @Override
    public void committedInStore(long revision, byte[] lowestKey, byte[] highestKey) {
        ByteString low = ByteString.copyFrom(lowestKey);
        ByteString high = ByteString.copyFrom(highestKey);
        lock.lock();
        try {
            if (revision != lastRevision + 1) {
                throw new IllegalStateException("watch hub at revision " + lastRevision + " got " + revision);
            }
            lastRevision = revision;
            recent.clear(); // the ring holds consecutive revisions, and this one is not in memory
            for (Watcher w : List.copyOf(synced.all())) {
                if (w.nextRevision <= revision && w.range.overlaps(low, high)) {
                    synced.remove(w);
                    becomeUnsynced(w, revision);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The store was replaced by a leader's snapshot and now stands at {@code revision}: the revisions in between never
     * came through {@link #committed}, so every synced watcher falls back to catching up from the store.
     */
    public void restored(long revision) {
        lock.lock();
        try {
            for (Watcher w : synced.all()) {
                synced.remove(w);
                becomeUnsynced(w, Math.max(w.nextRevision, lastRevision + 1));
            }
            recent.clear();
            lastRevision = revision;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The events without prev_kv, for watchers that did not ask for it: built once per list, and watchers of one
     * group (matched one after another) share the list.
     */
    private static final class StripCache {
        private List<Event> from;
        private List<Event> to;

        List<Event> stripped(List<Event> events) {
            if (events != from) {
                from = events;
                to = events.stream().anyMatch(Event::hasPrevKv)
                        ? events.stream()
                                .map(e -> e.hasPrevKv()
                                        ? e.toBuilder().clearPrevKv().build()
                                        : e)
                                .toList()
                        : events;
            }
            return to;
        }
    }

    /** Hub lock held. A synced watcher's next revision is max(nextRevision, lastRevision + 1). */
    private void deliverLive(Watcher w, List<Event> inRange, long revision, StripCache strip) {
        if (revision < w.nextRevision) {
            return; // it starts in the future
        }
        List<Event> mine = w.filter(inRange);
        if (mine.isEmpty()) {
            return;
        }
        if (!w.stream.offerEvents(w, w.prevKv ? mine : strip.stripped(mine), revision, true)) {
            fallbacks++;
            synced.remove(w);
            becomeUnsynced(w, revision);
            return;
        }
        w.nextRevision = revision + 1;
        w.eventsSinceTick = true;
    }

    private void becomeUnsynced(Watcher w, long nextRevision) {
        w.state = Watcher.State.UNSYNCED;
        w.nextRevision = nextRevision;
        w.nextSub = 0;
        unsynced.add(w);
        w.stream.unsyncedCount++;
        catchUp.wake();
    }

    /** Handles a create request as etcd does: a created response (or a refusal), then the events. */
    public void watch(WatchStream s, WatchCreateRequest req) {
        WatchRange range = WatchRange.of(req.getKey(), req.getRangeEnd());
        lock.lock();
        try {
            if (s.closed) {
                return;
            }
            ResponseHeader header = header(lastRevision);
            long id = req.getWatchId();
            String refusal = range.isEmpty()
                    ? RANGE_EMPTY
                    : id != 0 && s.watchers.containsKey(id)
                            ? DUPLICATE_ID
                            : s.watchers.size() >= limits.maxWatchersPerStream() || watcherCount >= limits.maxWatchers()
                                    ? TOO_MANY_WATCHERS
                                    : null;
            if (refusal != null) {
                s.offerControl(WatchResponses.refused(header, refusal));
                return;
            }
            if (id == 0) { // etcd's AutoWatchID: the server picks the next free id
                while (s.watchers.containsKey(s.nextAutoId)) {
                    s.nextAutoId++;
                }
                id = s.nextAutoId++;
            }
            long start = req.getStartRevision() == 0 ? lastRevision + 1 : req.getStartRevision();
            boolean noPut = req.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT);
            boolean noDelete = req.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE);
            Watcher w = new Watcher(
                    s, id, range, noPut, noDelete, req.getPrevKv(), req.getProgressNotify(), req.getFragment(), start);
            s.watchers.put(id, w);
            watcherCount++;
            if (w.progressNotify) {
                progressWatchers.add(w);
            }
            s.offerControl(WatchResponses.created(header, id));
            if (start > lastRevision) {
                w.state = Watcher.State.SYNCED;
                synced.add(w);
            } else {
                becomeUnsynced(w, start);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses a create request before it reaches the hub (etcd's answer to a watch the caller may not make). */
    public void refuse(WatchStream s, String reason) {
        lock.lock();
        try {
            if (!s.closed) {
                s.offerControl(WatchResponses.refused(header(lastRevision), reason));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels, telling each client {@code reason}, every watcher whose stream owner and range {@code refused}
     * accepts (the watchers of a user who lost the right to read their keys).
     */
    public void cancelWhere(BiPredicate<Object, WatchRange> refused, String reason) {
        lock.lock();
        try {
            List<Watcher> all = new ArrayList<>(synced.all());
            all.addAll(unsynced);
            ResponseHeader header = header(lastRevision);
            for (Watcher w : all) {
                if (!w.stream.closed && refused.test(w.stream.owner(), w.range)) {
                    remove(w);
                    w.stream.offerControl(WatchResponses.canceled(header, w.id).toBuilder()
                            .setCancelReason(reason)
                            .build());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Cancels a watcher at the client's request; an unknown id gets no answer, as in etcd. */
    public void cancel(WatchStream s, long watchId) {
        lock.lock();
        try {
            Watcher w = s.watchers.get(watchId);
            if (w != null && !s.closed) {
                remove(w);
                s.offerControl(WatchResponses.canceled(header(lastRevision), watchId));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Hub lock held. Takes a watcher out of every structure; its stream hears nothing from here. */
    private void remove(Watcher w) {
        WatchStream s = w.stream;
        s.watchers.remove(w.id);
        watcherCount--;
        progressWatchers.remove(w);
        if (w.state == Watcher.State.SYNCED) {
            synced.remove(w);
        } else if (w.state == Watcher.State.UNSYNCED) {
            unsynced.remove(w);
            s.unsyncedCount--;
            answerDeferredProgress(s);
        }
        w.state = Watcher.State.CANCELED;
    }

    /**
     * A progress request (etcd 3.5): answered with watch_id -1 and the hub's revision once no watcher of the
     * stream is catching up, so the revision tells the client it has seen everything up to it.
     */
    public void requestProgress(WatchStream s) {
        lock.lock();
        try {
            if (!s.closed) {
                s.deferredProgress = true;
                answerDeferredProgress(s);
            }
        } finally {
            lock.unlock();
        }
    }

    private void answerDeferredProgress(WatchStream s) {
        if (s.deferredProgress && s.unsyncedCount == 0) {
            s.deferredProgress = false;
            s.offerControl(WatchResponses.progress(header(lastRevision), WatchResponses.NO_WATCH));
        }
    }

    /**
     * One progress period passed: each synced watcher that asked for progress notifications and got no events
     * since the last tick gets an empty response with the hub's revision (etcd's RequestProgress). A watcher that
     * starts at a future revision hears nothing until the hub reaches the revision before its start (etcd 3.6.2):
     * the notification would carry a revision below the one it asked for.
     */
    void progressTick() {
        lock.lock();
        try {
            ResponseHeader header = header(lastRevision);
            for (Watcher w : progressWatchers) {
                boolean startsLater = w.nextRevision > lastRevision + 1;
                if (w.state == Watcher.State.SYNCED && !w.eventsSinceTick && !startsLater) {
                    w.stream.offerControl(WatchResponses.progress(header, w.id));
                }
                w.eventsSinceTick = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The client left or the member stops: drops the stream's watchers and whatever it had queued. */
    public void closeStream(WatchStream s) {
        lock.lock();
        try {
            if (s.closed) {
                return;
            }
            s.closed = true;
            for (Watcher w : List.copyOf(s.watchers.values())) {
                remove(w);
            }
            s.discard();
        } finally {
            lock.unlock();
        }
    }

    // ---- catch-up: called by the CatchUp worker ------------------------------------------------------------------

    /**
     * What one catch-up pass reads from the store, from ({@code from}, {@code fromSub}), and for whom (with each
     * watcher's position when planned).
     */
    record Plan(
            List<Watcher> watchers,
            long[] nextRevisions,
            long[] nextSubs,
            long from,
            long fromSub,
            long to,
            boolean prevKv) {}

    /**
     * Cancels the watchers that need compacted history, serves from memory those the recent revisions cover, and
     * returns the store read the rest need (null when none can proceed now).
     *
     * @param progressed set to true when anything changed
     */
    Plan plan(boolean[] progressed) {
        lock.lock();
        try {
            long compacted = compactRevision();
            List<Watcher> chosen = new ArrayList<>();
            long from = Long.MAX_VALUE;
            long fromSub = 0;
            boolean prevKv = false;
            int served = 0; // bounds the work done here under the lock
            for (Watcher w : List.copyOf(unsynced)) {
                if (served >= limits.catchUpWatchers()) {
                    progressed[0] = true; // the rest get the next pass
                    break;
                }
                if (w.nextRevision < compacted) {
                    cancelCompacted(w, compacted);
                    progressed[0] = true;
                } else if (!w.stream.hasRoom()) {
                    continue; // its stream wakes the worker once it drains
                } else if (w.nextSub == 0 && recent.covers(Math.max(w.nextRevision, 1))) {
                    if (feedFromMemory(w)) {
                        progressed[0] = true;
                        served++;
                    }
                } else if (chosen.size() < limits.catchUpWatchers()) {
                    chosen.add(w);
                    long at = Math.max(w.nextRevision, 1);
                    long atSub = at == w.nextRevision ? w.nextSub : 0;
                    if (at < from || at == from && atSub < fromSub) {
                        from = at;
                        fromSub = atSub;
                    }
                    prevKv |= w.prevKv;
                }
            }
            if (chosen.isEmpty()) {
                return null;
            }
            long[] next = chosen.stream().mapToLong(w -> w.nextRevision).toArray();
            long[] nextSubs = chosen.stream().mapToLong(w -> w.nextSub).toArray();
            return new Plan(chosen, next, nextSubs, from, fromSub, lastRevision, prevKv);
        } finally {
            lock.unlock();
        }
    }

    /** Hands a store read to the planned watchers still waiting for it; returns whether anything changed. */
    boolean deliver(Plan plan, HistoryReader.Batch batch) {
        lock.lock();
        try {
            long compacted = compactRevision(); // after the read: what compaction removed under it is refused
            boolean progressed = false;
            for (int i = 0; i < plan.watchers().size(); i++) {
                Watcher w = plan.watchers().get(i);
                if (w.state != Watcher.State.UNSYNCED
                        || w.nextRevision != plan.nextRevisions()[i]
                        || w.nextSub != plan.nextSubs()[i]) {
                    continue;
                }
                if (w.nextRevision < compacted) {
                    cancelCompacted(w, compacted);
                    progressed = true;
                    continue;
                }
                long before = w.nextRevision;
                long beforeSub = w.nextSub;
                catchUp.feed(w, batch.revisions(), batch.throughRevision());
                progressed |= w.nextRevision != before || w.nextSub != beforeSub;
                if (w.nextRevision > lastRevision) {
                    becomeSynced(w);
                } else if (w.nextSub == 0 && recent.covers(w.nextRevision) && w.stream.hasRoom()) {
                    progressed |= feedFromMemory(w); // the last stretch from memory, under the lock: no gap
                }
            }
            return progressed;
        } finally {
            lock.unlock();
        }
    }

    /** Hub lock held. Feeds a watcher from the recent revisions, and syncs it if that reaches the hub. */
    private boolean feedFromMemory(Watcher w) {
        long before = w.nextRevision;
        catchUp.feed(w, recent.from(Math.max(w.nextRevision, 1), Integer.MAX_VALUE), lastRevision);
        if (w.nextRevision > lastRevision) {
            becomeSynced(w);
            return true;
        }
        return w.nextRevision != before;
    }

    private void becomeSynced(Watcher w) {
        unsynced.remove(w);
        w.state = Watcher.State.SYNCED;
        synced.add(w);
        w.stream.unsyncedCount--;
        answerDeferredProgress(w.stream);
    }

    private void cancelCompacted(Watcher w, long compacted) {
        remove(w);
        w.stream.offerControl(WatchResponses.compacted(header(0), w.id, compacted));
    }

    /** The revision below which history is gone, as etcd reports it: -1 before the first compaction. */
    private long compactRevision() {
        long c = store.compactedRevision();
        return c > 0 ? c : -1;
    }

    /** Runs one catch-up pass on the calling thread; true when it changed anything (tests drive it this way). */
    public boolean catchUpPass() {
        return catchUp.runPass();
    }

    // ---- for streams and the worker ------------------------------------------------------------------------------

    /**
     * The header for responses at {@code revision}. Every watcher of a revision gets the same header, so the last
     * one is kept (a term change shows from the next revision on).
     */
    ResponseHeader header(long revision) {
        CachedHeader c = cachedHeader;
        if (c.revision() == revision) {
            return c.header();
        }
        ResponseHeader h = headers.apply(revision);
        cachedHeader = new CachedHeader(revision, h);
        return h;
    }

    private record CachedHeader(long revision, ResponseHeader header) {}

    int maxRequestBytes() {
        return maxRequestBytes;
    }

    QueueBudget budget() {
        return budget;
    }

    /** A stream drained after refusing events: catch-up may proceed for its watchers. */
    void roomFreed() {
        catchUp.wake();
    }

    /**
     * A snapshot of the hub's state, for tests and metrics.
     *
     * @param fallbacks         times a watcher's stream refused live events and it fell back to catch-up
     * @param queuedBytes       event bytes queued over all streams
     */
    public record Stats(long revision, int synced, int unsynced, long fallbacks, long queuedBytes) {}

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(lastRevision, synced.size(), unsynced.size(), fallbacks, budget.usedBytes());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        catchUp.close();
    }
}
