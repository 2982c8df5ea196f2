package io.etcdj.server.watch;

import io.etcdj.api.mvccpb.Event;
import io.etcdj.server.mvcc.HistoryReader;
import io.etcdj.server.mvcc.RevisionEvents;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-up worker: brings UNSYNCED watchers (new historical watchers, and watchers whose stream could not keep
 * up) back to the hub's revision. One pass: the hub plans under its lock (cancels the compacted, serves from
 * memory whom it can), the store is read without any lock, and the hub hands the read out under its lock. The
 * worker sleeps until woken: a watcher fell behind, or a stream that refused events drained.
 *
 * <p>Past revisions go out several to a response (as etcd's catch-up sends them), split at revision boundaries
 * so a response stays near {@link WatchLimits#catchUpResponseBytes()}; one revision's events are never split.
 */
final class CatchUp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);

    private final WatchHub hub;
    private final HistoryReader history;
    private final WatchLimits limits;
    private final Signal wakeUp = new Signal();
    /** Written once by {@link #start}, read by {@link #close}. */
    private volatile Thread thread;
    /** Set once, by {@link #close}. */
    private volatile boolean closed;

    CatchUp(WatchHub hub, HistoryReader history, WatchLimits limits) {
        this.hub = hub;
        this.history = history;
        this.limits = limits;
    }

    void start() {
        thread = Thread.ofPlatform().name("watch-catchup").daemon().start(this::loop);
    }

    void wake() {
        wakeUp.raise();
    }

    private void loop() {
        try {
            while (!closed) {
                wakeUp.await();
                try {
                    boolean more = true;
                    while (!closed && more) {
                        more = runPass(); // passes run until one changes nothing
                    }
                } catch (RuntimeException e) { // a bug: say so, and try again at the next wake-up rather than spin
                    LOG.error("watch catch-up pass failed: {}", e.toString(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pass; true when it changed anything, so another may make more progress. */
    boolean runPass() {
        boolean[] progressed = {false};
        WatchHub.Plan plan = hub.plan(progressed);
        if (plan == null) {
            return progressed[0];
        }
        HistoryReader.Batch batch;
        try {
            batch = history.read(
                    plan.from(),
                    plan.fromSub(),
                    plan.to(),
                    limits.catchUpRevisions(),
                    limits.catchUpBytes(),
                    plan.prevKv());
        } catch (RocksDBException e) {
            LOG.error("watch catch-up could not read revisions {}..{}: {}", plan.from(), plan.to(), e.toString());
            return progressed[0];
        }
        return hub.deliver(plan, batch) || progressed[0];
    }

    /**
     * Hub lock held. Queues for {@code w} its events of {@code batch} (which covers revisions up to
     * {@code through}) from its position on, and moves its position past what was queued; stops at the first
     * response its stream refuses. A piece of a revision (the batch's last entry) goes out on its own response, and
     * leaves the watcher inside that revision.
     */
    void feed(Watcher w, List<RevisionEvents> batch, long through) {
        List<Event> pending = new ArrayList<>();
        long pendingBytes = 0;
        long covered = w.nextRevision - 1; // every revision up to here is examined
        for (RevisionEvents r : batch) {
            if (r.revision() < w.nextRevision) {
                continue;
            }
            List<Event> mine = w.select(r.revision() == w.nextRevision ? r.eventsFrom(w.nextSub) : r.events());
            if (r.partial()) {
                if (!pending.isEmpty() && !flush(w, pending, covered)) {
                    return;
                }
                if (!mine.isEmpty() && !w.stream.offerEvents(w, mine, r.revision(), false)) {
                    return;
                }
                if (r.revision() > w.nextRevision || r.resumeSub() > w.nextSub) { // never back: it may be ahead
                    w.nextRevision = r.revision();
                    w.nextSub = r.resumeSub();
                }
                w.eventsSinceTick |= !mine.isEmpty();
                return; // the rest of this revision comes in a later read
            }
            if (!mine.isEmpty()) {
                if (!pending.isEmpty() && pendingBytes + r.bytes() > limits.catchUpResponseBytes()) {
                    if (!flush(w, pending, covered)) {
                        return;
                    }
                    pending = new ArrayList<>();
                    pendingBytes = 0;
                }
                pending.addAll(mine);
                pendingBytes += r.bytes();
            }
            covered = r.revision();
        }
        if (pending.isEmpty() || flush(w, pending, Math.max(covered, through))) {
            long next = Math.max(covered, through) + 1;
            if (next > w.nextRevision) {
                w.nextRevision = next;
                w.nextSub = 0;
            }
        }
    }

    /** Offers one catch-up response covering revisions up to {@code through}; false when the stream refused it. */
    private static boolean flush(Watcher w, List<Event> events, long through) {
        if (!w.stream.offerEvents(w, events, through, false)) {
            return false;
        }
        w.nextRevision = through + 1;
        w.nextSub = 0;
        w.eventsSinceTick = true;
        return true;
    }

    @Override
    public void close() {
        closed = true;
        wakeUp.raise();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
