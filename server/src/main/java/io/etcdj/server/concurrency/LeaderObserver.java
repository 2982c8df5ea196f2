package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.api.v3electionpb.LeaderResponse;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.watch.WatchHub;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Follows an election's leader and sends each of its states, in revision order: every key that led, at the moment
 * it became leader, and every value it proclaimed. No leader is skipped, however fast they change: where etcd's
 * observer asks "who leads now?" after a leader's key is deleted (and so misses a leader that came and went
 * meanwhile), this one asks "who led at the revision of the deletion?", a read of that past revision, which MVCC
 * answers exactly while it is not compacted.
 *
 * <p>States: READING at revision R (a read in flight; no watch) -> WATCHING the prefix from R+1 -> on an event that
 * may change who leads (the leader's key deleted; a key put while nobody leads) at revision S: close the watch,
 * READING at S -> ... A proclaim of the leader (a put of its key) is sent straight from the watch. A watch canceled
 * by compaction, or a past read that is compacted, resumes from a read of the present (the only case in which
 * leaders can be missed: their history is gone). CLOSED is final.
 *
 * <p>No thread is held: reads complete on the read executor, events arrive on the watch hub's sender threads, and
 * the hub holds events back while the client is not {@linkplain Sink#isReady ready}.
 */
public final class LeaderObserver implements AutoCloseable {
    /** Where the leader's states go (the gRPC stream); calls come one at a time. */
    public interface Sink {
        /** Whether the client takes more now. */
        boolean isReady();

        void send(LeaderResponse response);

        /** The observation ended with an error; nothing follows. */
        void fail(Throwable error);
    }

    private final LocalKv kv;
    private final WatchHub hub;
    private final ByteString prefix;
    private final Sink sink;

    /** The leader last sent; null before the first and while nobody leads. Guarded by this. */
    private KeyValue leader;
    /** The watch while WATCHING. Guarded by this. */
    private LocalWatch watch;
    /** Counts watches opened; callbacks of older ones are ignored. Guarded by this. */
    private long round;
    /** Guarded by this. */
    private boolean closed;

    LeaderObserver(LocalKv kv, WatchHub hub, ByteString prefix, Sink sink) {
        this.kv = kv;
        this.hub = hub;
        this.prefix = prefix;
        this.sink = sink;
    }

    /** Sends the current leader (if any), then every change. */
    public void start() {
        readAt(0);
    }

    /** The client can take more again. */
    public void onReady() {
        LocalWatch w;
        synchronized (this) {
            w = watch;
        }
        if (w != null) {
            w.onReady();
        }
    }

    /** Stops observing (the client went away); sends nothing more. */
    @Override
    public void close() {
        LocalWatch w;
        synchronized (this) {
            closed = true;
            round++;
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close();
        }
    }

    /** Reads who leads at {@code revision} (0: now, linearizably), sends it if it changed, and watches on. */
    private void readAt(long revision) {
        kv.read(revision, Keys.oldest(prefix)).whenComplete((reads, err) -> {
            if (err != null) {
                if (revision != 0 && isCompacted(err)) {
                    readAt(0); // that history is gone: go on from the present
                } else {
                    fail(err);
                }
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                KeyValue now = Keys.first(reads.get(0));
                if (now != null && !sameState(leader, now)) {
                    sink.send(LeaderResponse.newBuilder()
                            .setHeader(reads.header())
                            .setKv(now)
                            .build());
                }
                leader = now;
            }
            watchFrom(reads.header().getRevision() + 1);
        });
    }

    private void watchFrom(long revision) {
        long myRound;
        synchronized (this) {
            if (closed) {
                return;
            }
            myRound = ++round;
        }
        LocalWatch w = LocalWatch.open(
                hub, List.of(LocalWatch.prefix(prefix, revision)), sink::isReady, r -> onResponse(myRound, r));
        synchronized (this) {
            if (round == myRound && !closed) {
                watch = w;
                return;
            }
        }
        w.close();
    }

    private void onResponse(long fromRound, WatchResponse r) {
        if (!r.getCanceled() && r.getEventsCount() == 0) {
            return; // created, or progress
        }
        long readAt;
        LocalWatch w;
        synchronized (this) {
            if (fromRound != round || closed) {
                return;
            }
            readAt = r.getCanceled() ? 0 : apply(r.getEventsList());
            if (readAt < 0) {
                return; // the watch goes on
            }
            round++;
            w = watch;
            watch = null;
        }
        if (w != null) {
            w.close();
        }
        if (r.getCanceled() && r.getCompactRevision() == 0) { // refused by the hub's limits
            fail(Status.RESOURCE_EXHAUSTED.withDescription(r.getCancelReason()).asRuntimeException());
        } else {
            readAt(readAt);
        }
    }

    /**
     * Takes the events in revision order; sends the leader's proclaims. Returns the first revision at which who
     * leads may have changed (then the rest are not looked at), or -1. Lock held.
     */
    private long apply(List<Event> events) {
        for (int i = 0; i < events.size(); ) {
            long revision = events.get(i).getKv().getModRevision();
            int end = i;
            while (end < events.size() && events.get(end).getKv().getModRevision() == revision) {
                end++;
            }
            List<Event> sameRevision = events.subList(i, end);
            if (mayChangeLeader(sameRevision)) {
                return revision;
            }
            for (Event e : sameRevision) { // only puts of the leader's own key are left to look at
                boolean put = e.getType() == Event.EventType.PUT;
                if (leader != null && put && e.getKv().getKey().equals(leader.getKey())) {
                    leader = e.getKv();
                    sink.send(LeaderResponse.newBuilder()
                            .setHeader(kv.header(revision))
                            .setKv(leader)
                            .build());
                }
            }
            i = end;
        }
        return -1;
    }

    private boolean mayChangeLeader(List<Event> events) {
        for (Event e : events) {
            boolean put = e.getType() == Event.EventType.PUT;
            if (leader == null ? put : !put && e.getKv().getKey().equals(leader.getKey())) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameState(KeyValue a, KeyValue b) {
        return a != null
                && a.getKey().equals(b.getKey())
                && a.getCreateRevision() == b.getCreateRevision()
                && a.getModRevision() == b.getModRevision();
    }

    private static boolean isCompacted(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return cause instanceof EtcdException e && e.error() == EtcdError.COMPACTED;
    }

    private void fail(Throwable err) {
        LocalWatch w;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            round++;
            w = watch;
            watch = null;
            sink.fail(err);
        }
        if (w != null) {
            w.close();
        }
    }
}
