package io.etcdj.server.watch;

import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client watch stream (one gRPC bidi call): its watchers, and the bounded queue of responses waiting to be
 * sent. Producers (the applier through the hub, the catch-up worker, request handlers) only append to the queue;
 * a sender thread drains it while the client keeps up ({@link ResponseSink#isReady()}), so no producer ever waits
 * for a client. An event response that does not fit is refused, and the hub moves its watcher to catch-up.
 * Control responses (created, canceled, progress) always fit; their backlog is bounded by reading the client's
 * next request only while it is small.
 *
 * <p>Lock order: hub lock, then this stream's queue lock; never the other way round.
 */
public final class WatchStream {
    private static final Logger LOG = LoggerFactory.getLogger(WatchStream.class);

    private final WatchHub hub;
    private final ResponseSink sink;
    private final Executor sender;
    private final WatchLimits limits;

    /** Who opened the stream, for {@link WatchHub#cancelWhere} (opaque to the hub); set once, before any watch. */
    private volatile Object owner;
    /** This stream's watchers by id; guarded by the hub lock. */
    final Map<Long, Watcher> watchers = new HashMap<>();
    /** The next id to try for a watcher the client lets the server name; guarded by the hub lock. */
    long nextAutoId;
    /** How many of this stream's watchers are UNSYNCED; guarded by the hub lock. */
    int unsyncedCount;
    /** A progress request waits until no watcher is UNSYNCED; guarded by the hub lock. */
    boolean deferredProgress;
    /** The stream is gone (client left, or the member stops); guarded by the hub lock. */
    boolean closed;

    private final Object queueLock = new Object();
    /** Guarded by queueLock, as are the counters below. */
    private final ArrayDeque<Outbound> queue = new ArrayDeque<>();

    private int queuedEventResponses;
    private long queuedBytes;
    private int queuedControl;
    /** A sender thread is draining (or is about to). */
    private boolean draining;
    /** The client's next request is held back until the control backlog shrinks. */
    private boolean inboundPaused;
    /** An event response was refused or catch-up found no room: tell the hub once there is room again. */
    private boolean starved;
    /** After close: nothing more is queued or sent. */
    private boolean discarded;

    /** A queued response: events built into a response only when sent, or a ready control response. */
    private sealed interface Outbound permits EventsOut, ControlOut {}

    /**
     * Events of one watcher, from one or more consecutive revisions: while it waits in the queue, later events of the
     * same watcher join it (see {@link #offerEvents}), so a stream that falls behind sends fewer, larger responses
     * instead of one per revision. Mutable only under queueLock while queued; read by the sender after it is taken.
     */
    static final class EventsOut implements Outbound {
        final Watcher watcher;
        final boolean live;
        /** {@link #controlsQueued} when this entry was queued: a control queued after it stops merging. */
        final long controlMark;

        List<Event> events;
        long revision;
        long bytes;
        /** Offers this entry holds (each counted in the stream's and the watcher's bounds). */
        int offers = 1;
        /** Whether {@link #events} is this entry's own list (the first list may be shared with other watchers). */
        private boolean ownList;

        EventsOut(Watcher watcher, List<Event> events, long revision, long bytes, boolean live, long controlMark) {
            this.watcher = watcher;
            this.events = events;
            this.revision = revision;
            this.bytes = bytes;
            this.live = live;
            this.controlMark = controlMark;
        }

        void merge(List<Event> more, long moreRevision, long moreBytes) {
            offers++;
            if (!ownList) {
                events = new ArrayList<>(events);
                ownList = true;
            }
            events.addAll(more);
            revision = moreRevision;
            bytes += moreBytes;
        }
    }

    private record ControlOut(WatchResponse response) implements Outbound {}

    /** Control responses ever queued; guarded by queueLock. */
    private long controlsQueued;

    WatchStream(WatchHub hub, ResponseSink sink, Executor sender, WatchLimits limits) {
        this.hub = hub;
        this.sink = sink;
        this.sender = sender;
        this.limits = limits;
    }

    /**
     * Queues events for {@code w} (header revision {@code revision}) unless a bound would be passed; a stream with
     * nothing queued always takes one response, however large, so that every revision can be delivered.
     *
     * @param live true on the live path, where the per-watcher bound also applies
     * @return false when refused: the caller keeps the events for catch-up
     */
    boolean offerEvents(Watcher w, List<Event> events, long revision, boolean live) {
        long bytes = 0;
        for (Event e : events) {
            bytes += e.getSerializedSize();
        }
        synchronized (queueLock) {
            if (discarded) {
                return true;
            }
            boolean empty = queuedEventResponses == 0;
            boolean fits = empty
                    || (queuedEventResponses < limits.streamQueueResponses()
                            && queuedBytes + bytes <= limits.streamQueueBytes()
                            && (!live || w.queuedResponses < limits.watcherQueueResponses()));
            if (!fits || !hub.budget().tryTake(bytes, empty)) {
                starved = true;
                return false;
            }
            // the bounds count offers, merged or not: merging changes how many messages go out, not what is held
            queuedEventResponses++;
            queuedBytes += bytes;
            if (live) {
                w.queuedResponses++;
            }
            EventsOut waiting = w.queuedOut;
            if (waiting != null
                    && waiting.live == live
                    && waiting.controlMark == controlsQueued
                    && waiting.bytes + bytes <= limits.catchUpResponseBytes()) {
                // the watcher's previous response is still waiting, and nothing was queued for the client after
                // it that these events must follow: they join it (its header then carries the newest revision)
                waiting.merge(events, revision, bytes);
                return true;
            }
            EventsOut out = new EventsOut(w, events, revision, bytes, live, controlsQueued);
            queue.add(out);
            w.queuedOut = out;
        }
        scheduleDrain();
        return true;
    }

    /** Queues a control response; it is never refused. */
    void offerControl(WatchResponse response) {
        synchronized (queueLock) {
            if (discarded) {
                return;
            }
            queue.add(new ControlOut(response));
            queuedControl++;
            controlsQueued++;
        }
        scheduleDrain();
    }

    /** True when catch-up may queue more here: below half of each stream bound. */
    boolean hasRoom() {
        synchronized (queueLock) {
            boolean room = queuedEventResponses < limits.streamQueueResponses() / 2
                    && queuedBytes < limits.streamQueueBytes() / 2
                    && hub.budget().belowHalf();
            starved |= !room;
            return room;
        }
    }

    /** Called after each client request: lets the next one in unless the control backlog is full. */
    /** Records who opened the stream (the caller a permission check judges). */
    public void owner(Object who) {
        this.owner = who;
    }

    public Object owner() {
        return owner;
    }

    public void requestNext() {
        synchronized (queueLock) {
            if (queuedControl >= limits.controlBacklog()) {
                inboundPaused = true;
                return;
            }
        }
        sink.requestNext();
    }

    /** The client can take more again (the transport's on-ready callback). */
    public void onReady() {
        scheduleDrain();
    }

    private void scheduleDrain() {
        synchronized (queueLock) {
            if (draining || discarded || queue.isEmpty()) {
                return;
            }
            draining = true;
        }
        submitDrain();
    }

    /** Runs a drain turn on the sender; a sender that is shutting down (the member stops) drops the stream's sends. */
    private void submitDrain() {
        try {
            sender.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (queueLock) {
                draining = false;
            }
        }
    }

    /** Sends queued responses while the client keeps up; runs on a sender thread, one drain per stream at a time. */
    private void drain() {
        int sent = 0;
        while (true) {
            Outbound next;
            boolean resumeInbound = false;
            synchronized (queueLock) {
                // a turn starts only when the transport has taken everything sent before, then sends a bounded
                // batch: the transport holds at most sendsPerDrain responses of a client that stopped reading
                if (discarded || queue.isEmpty() || sent >= limits.sendsPerDrain() || sent == 0 && !sink.isReady()) {
                    boolean more = !discarded && !queue.isEmpty() && sink.isReady(); // also catches a missed ready
                    draining = more;
                    boolean wake = starved && !more && queuedEventResponses < limits.streamQueueResponses() / 2;
                    starved &= !wake;
                    if (more) {
                        submitDrain(); // yield the thread to other streams, then continue
                    }
                    if (wake) {
                        hub.roomFreed();
                    }
                    return;
                }
                next = queue.poll();
                if (next instanceof EventsOut e) {
                    queuedEventResponses -= e.offers;
                    queuedBytes -= e.bytes;
                    hub.budget().give(e.bytes);
                    if (e.watcher.queuedOut == e) {
                        e.watcher.queuedOut = null; // taken: nothing joins it any more
                    }
                    if (e.live) {
                        e.watcher.queuedResponses -= e.offers;
                    }
                } else {
                    queuedControl--;
                    resumeInbound = inboundPaused && queuedControl < limits.controlBacklog() / 2;
                    inboundPaused &= !resumeInbound;
                }
            }
            if (resumeInbound) {
                sink.requestNext();
            }
            if (!send(next)) {
                return;
            }
            sent++;
        }
    }

    private boolean send(Outbound next) {
        try {
            if (next instanceof EventsOut e) {
                Watcher w = e.watcher;
                WatchResponse r = WatchResponses.events(hub.header(e.revision), w.id, e.events, w.prevKv);
                for (WatchResponse part :
                        w.fragment ? WatchResponses.fragments(r, hub.maxRequestBytes()) : List.of(r)) {
                    sink.send(part);
                }
            } else {
                sink.send(((ControlOut) next).response());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.debug("watch stream send failed; closing the stream: {}", e.toString());
            hub.closeStream(this);
            return false;
        }
    }

    /** Drops everything queued and refuses more; called by the hub when the stream closes. */
    void discard() {
        synchronized (queueLock) {
            discarded = true;
            draining = false;
            hub.budget().give(queuedBytes);
            queue.clear();
            queuedEventResponses = 0;
            queuedBytes = 0;
            queuedControl = 0;
        }
    }
}
