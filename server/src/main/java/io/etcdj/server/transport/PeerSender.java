package io.etcdj.server.transport;

import com.google.protobuf.UnsafeByteOperations;
import com.linecorp.armeria.client.ClientRequestContextCaptor;
import com.linecorp.armeria.client.Clients;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.common.logging.RequestLogProperty;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.RaftBatch;
import io.etcdj.api.peer.SendSummary;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends raft messages to one peer over a client stream of {@code Peer.Send}. The raft driver hands each Ready's
 * messages for this peer to {@link #offerAll}: when nothing is queued and the stream is open and ready (gRPC flow
 * control), they are written into it at once on the caller's thread (a non-blocking hand-off to the connection's
 * event loop); otherwise they go to a bounded queue that this sender's own thread ({@code peer-send-<id>}) drains in
 * batches once the stream is ready again, opening (and reopening, with exponential backoff, trying each of the
 * peer's URLs in turn) the stream as needed. Writing directly saves a thread hand-off on every replication hop,
 * which on a busy machine cost 0.1-0.5 ms each (measured); the rejected alternative, always queueing, is what this
 * class did before.
 *
 * <p>Order: messages leave in the order they were offered. The queue and every write into the stream are guarded by
 * {@link #lock}; the caller writes directly only while the queue is empty, and the sender thread drains and writes
 * under the same lock, so a direct write can never overtake a queued message.
 *
 * <p>A full queue, a stream that flow control holds back for too long, or a broken connection drops messages and
 * reports the peer unreachable; raft retries. Nothing here blocks the raft driver (the lock is never held while
 * waiting), and a slow or dead peer never holds up the others: each has its own queue and thread.
 *
 * <p>Except client proposals forwarded to the leader ({@link Message.ProposalRequest}): nothing in raft resends
 * those, so a dropped one costs its client a request timeout. They stay queued through a stream that is not ready
 * yet (a connection still being set up, the first after start), a failed connect and a batch dropped for flow
 * control, for up to {@link #PROPOSAL_HOLD_MS}; what was already written into a stream that then breaks is lost
 * (as in etcd).
 */
final class PeerSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerSender.class);
    static final int MAX_QUEUED_MESSAGES = 4096;
    static final int MAX_BATCH_MESSAGES = 512;
    static final long MAX_BATCH_BYTES = 4L << 20;
    static final long MIN_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 1000;
    /** How long a batch may wait for gRPC flow control before it is dropped. */
    static final long READY_WAIT_MS = 200;
    /**
     * How long a forwarded proposal may wait for a usable stream: well under the client's request timeout (7 s), so
     * a proposal that does arrive late still has time to commit, and one whose leader is gone does not linger.
     */
    static final long PROPOSAL_HOLD_MS = 3000;

    private final long clusterId;
    private final long fromRaftId;
    private final long toRaftId;
    private final Function<String, PeerGrpc.PeerStub> stubs;
    private final LongConsumer unreachable;
    private final Runnable removed;
    /** {@link #PROPOSAL_HOLD_MS}, or what a test sets. */
    private final long proposalHoldMs;
    /** Guards {@link #queue} and every write into a stream. Never held while waiting. */
    private final ReentrantLock lock = new ReentrantLock();

    private final Condition nonEmpty = lock.newCondition();
    /** Messages waiting for the sender thread; at most {@link #MAX_QUEUED_MESSAGES}. Guarded by {@link #lock}. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();

    private final Thread thread;
    /** The peer's URLs; replaced when its membership record changes. */
    private volatile List<String> urls;
    /** Set once, by {@link #close}. */
    private volatile boolean closed;
    /** The open stream, or null; written by the sender thread only, read by anyone. */
    private volatile Stream stream;
    /**
     * Whether the sender thread waits in {@link #awaitReady} for flow control: only then does a stream's on-ready
     * callback wake it. Set before it checks readiness, so a callback that comes after the check sees it set.
     */
    private volatile boolean awaitingReady;
    /** Sender thread only: which URL to try next. */
    private int urlIndex;
    /**
     * Whether something was written into a stream since the last one broke: drives the two operator log lines
     * (a peer lost, a peer back), so a peer that stays down does not log at every reconnect attempt.
     */
    private volatile boolean reachable;
    /** How long a stream must stay up before the peer counts as reachable again (for the operator log lines). */
    private static final long STABLE_STREAM_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Whether a stream to this peer has broken since start (a later recovery is then worth a line). */
    private volatile boolean everLost;

    /** A message waiting in the queue, with when it was offered (for {@link #PROPOSAL_HOLD_MS}). */
    private record Queued(Message message, long offeredNanos) {}

    /** One open Send stream; {@code broken} is set from gRPC threads. */
    private final class Stream implements ClientResponseObserver<RaftBatch, SendSummary> {
        /** When it was opened: a stream counts as the peer being back only once it has lasted a while. */
        final long openedNanos = System.nanoTime();

        volatile ClientCallStreamObserver<RaftBatch> requests;
        volatile boolean broken;
        /**
         * Whether the stream has its connection. Until then gRPC reports it ready (it buffers), but what is written
         * is lost without a word if the connect then fails: nothing is written before, so that what waits meanwhile
         * stays in the queue, where proposals survive a failed connect.
         */
        volatile boolean connected;

        /** Whether messages may be written into it now. */
        boolean writable() {
            return connected && !broken && requests != null && requests.isReady();
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<RaftBatch> requestStream) {
            this.requests = requestStream;
            // gRPC calls this after every write that leaves the stream ready, not only after a stall: waking the
            // sender thread each time cost a futex wake and two context switches per replication message (measured)
            requestStream.setOnReadyHandler(() -> {
                if (awaitingReady) {
                    LockSupport.unpark(thread);
                }
            });
        }

        /** Called (on any thread) once the call has a connection, or has failed to get one. */
        void sessionKnown(RequestLog log) {
            if (log.channel() != null && log.channel().isActive()) {
                connected = true;
                if (awaitingReady) {
                    LockSupport.unpark(thread);
                }
            }
        }

        @Override
        public void onNext(SendSummary value) {}

        @Override
        public void onError(Throwable t) {
            if (!broken && !closed) {
                if (reachable) {
                    reachable = false;
                    everLost = true;
                    LOG.warn(
                            "lost the stream to peer {} ({}); reconnecting, raft resends what it missed",
                            Long.toHexString(toRaftId),
                            t.toString());
                } else {
                    LOG.debug("stream to peer {} broke: {}", Long.toHexString(toRaftId), t.toString());
                }
            }
            broken = true;
            if (PeerTransport.REMOVED_MEMBER.equals(
                    io.grpc.Status.fromThrowable(t).getDescription())) {
                removed.run();
            }
            LockSupport.unpark(thread);
        }

        @Override
        public void onCompleted() {
            broken = true;
        }
    }

    PeerSender(
            long clusterId,
            long fromRaftId,
            long toRaftId,
            List<String> urls,
            Function<String, PeerGrpc.PeerStub> stubs,
            LongConsumer unreachable,
            Runnable removed) {
        this(clusterId, fromRaftId, toRaftId, urls, stubs, unreachable, removed, PROPOSAL_HOLD_MS);
    }

    PeerSender(
            long clusterId,
            long fromRaftId,
            long toRaftId,
            List<String> urls,
            Function<String, PeerGrpc.PeerStub> stubs,
            LongConsumer unreachable,
            Runnable removed,
            long proposalHoldMs) {
        this.proposalHoldMs = proposalHoldMs;
        this.clusterId = clusterId;
        this.fromRaftId = fromRaftId;
        this.toRaftId = toRaftId;
        this.urls = List.copyOf(urls);
        this.stubs = stubs;
        this.unreachable = unreachable;
        this.removed = removed;
        this.thread = Thread.ofPlatform()
                .name("peer-send-" + Long.toHexString(toRaftId))
                .daemon()
                .start(this::run);
    }

    void setUrls(List<String> newUrls) {
        urls = List.copyOf(newUrls);
    }

    /**
     * Sends {@code messages} (in order): at once when nothing is queued and the stream is ready, else through the
     * queue. Messages that do not fit in the queue are dropped and the peer is reported unreachable.
     */
    void offerAll(List<Message> messages) {
        boolean dropped = false;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            Stream s = stream;
            if (queue.isEmpty() && s != null && s.writable()) {
                try {
                    write(s, messages);
                    return;
                } catch (RuntimeException e) {
                    LOG.debug("writing to peer {} failed: {}", Long.toHexString(toRaftId), e.toString());
                    s.broken = true;
                    dropped = true;
                    LockSupport.unpark(thread); // the sender thread reconnects
                }
            } else {
                dropped = !enqueue(messages);
            }
        } finally {
            lock.unlock();
        }
        if (dropped) {
            unreachable.accept(toRaftId);
        }
    }

    /** Queues {@code messages} while there is room, and wakes the sender thread; false if some did not fit. */
    private boolean enqueue(List<Message> messages) {
        long now = System.nanoTime();
        boolean all = true;
        for (Message m : messages) {
            if (queue.size() >= MAX_QUEUED_MESSAGES) {
                all = false;
                break;
            }
            queue.add(new Queued(m, now));
        }
        nonEmpty.signal();
        return all;
    }

    /** Whether {@code m} stays queued through connection trouble: nothing in raft would resend it. */
    static boolean heldThroughTrouble(Message m) {
        return m instanceof Message.ProposalRequest;
    }

    private void run() {
        List<Message> batch = new ArrayList<>(MAX_BATCH_MESSAGES);
        long backoffMs = MIN_BACKOFF_MS;
        while (!closed) {
            try {
                batch.clear();
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        nonEmpty.await(500, TimeUnit.MILLISECONDS);
                    }
                    if (closed) {
                        break;
                    }
                    Stream s = stream;
                    if (s != null && s.writable()) {
                        drain(batch);
                        write(s, batch);
                        backoffMs = MIN_BACKOFF_MS;
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                // no usable stream: open one, or wait (without the lock) until flow control lets us write
                if (awaitReady()) {
                    backoffMs = MIN_BACKOFF_MS;
                    continue;
                }
                if (!closed) {
                    Thread.sleep(backoffMs); // pacing reconnects to a peer that is down
                }
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
                dropQueued(); // what queued meanwhile is stale: raft resends
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("sending to peer {} failed: {}", Long.toHexString(toRaftId), e.toString());
                dropQueued();
                closeStream();
            }
        }
        closeStream();
    }

    /** Moves up to one batch from the queue into {@code into}. Holds {@link #lock}. */
    private void drain(List<Message> into) {
        Queued q;
        while (into.size() < MAX_BATCH_MESSAGES && (q = queue.poll()) != null) {
            into.add(q.message());
        }
    }

    /**
     * Drops what waits for a stream that is not to be had (or is held back by flow control), except the forwarded
     * proposals younger than {@link #PROPOSAL_HOLD_MS}, and reports the peer unreachable if anything went.
     */
    private void dropQueued() {
        boolean any = false;
        long oldestKeptNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(proposalHoldMs);
        lock.lock();
        try {
            for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
                Queued q = it.next();
                if (!heldThroughTrouble(q.message()) || q.offeredNanos() - oldestKeptNanos < 0) {
                    it.remove();
                    any = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (any) {
            unreachable.accept(toRaftId);
        }
    }

    /**
     * Sender thread: opens a stream if needed and waits until it is ready. True when it is (or when it stayed held
     * back by flow control for {@link #READY_WAIT_MS}: one batch is then dropped, the connection kept); false when
     * there is no stream to be had (the caller backs off).
     */
    private boolean awaitReady() {
        Stream s = openStream();
        if (s == null) {
            return false;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WAIT_MS);
        awaitingReady = true;
        try {
            while (!s.writable() && !s.broken && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    dropQueued(); // the peer is slow: drop what waits (raft resends) but keep the connection
                    return true;
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            awaitingReady = false;
        }
        if (s.broken) {
            closeStream();
            return false;
        }
        return true;
    }

    /** Writes the messages into the stream, in batches of at most {@link #MAX_BATCH_BYTES}. Holds {@link #lock}. */
    private void write(Stream s, List<Message> messages) {
        RaftBatch.Builder b = RaftBatch.newBuilder()
                .setClusterId(clusterId)
                .setFrom(fromRaftId)
                .setTo(toRaftId);
        long bytes = 0;
        int count = 0;
        for (Message m : messages) {
            byte[] encoded = RaftCodec.encode(m);
            if (bytes > 0 && (bytes + encoded.length > MAX_BATCH_BYTES || count >= MAX_BATCH_MESSAGES)) {
                s.requests.onNext(b.build());
                b.clearMessages();
                bytes = 0;
                count = 0;
            }
            b.addMessages(UnsafeByteOperations.unsafeWrap(encoded)); // encoded is never touched again
            bytes += encoded.length;
            count++;
        }
        s.requests.onNext(b.build());
        // a peer that is down still accepts a connection now and then (its port is reused, a proxy answers): only a
        // stream that lasted counts as the peer back, so a dead peer logs one "lost" line, not a pair per attempt
        if (!reachable && System.nanoTime() - s.openedNanos >= STABLE_STREAM_NANOS) {
            reachable = true;
            if (everLost) {
                LOG.info("peer {} is reachable again", Long.toHexString(toRaftId));
            }
        }
    }

    private Stream openStream() {
        if (stream != null && !stream.broken) {
            return stream;
        }
        closeStream();
        List<String> u = urls;
        if (u.isEmpty()) {
            return null;
        }
        String url = u.get(Math.floorMod(urlIndex++, u.size()));
        Stream s = new Stream();
        try (ClientRequestContextCaptor call = Clients.newContextCaptor()) {
            stubs.apply(url).send(s);
            call.get().log().whenAvailable(RequestLogProperty.SESSION).thenAccept(s::sessionKnown);
        }
        stream = s;
        return s;
    }

    private void closeStream() {
        lock.lock(); // a stream's calls must not interleave with a write
        try {
            Stream s = stream;
            stream = null;
            if (s != null && s.requests != null && !s.broken) {
                try {
                    s.requests.onCompleted();
                } catch (RuntimeException e) {
                    // already gone
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops sending without waiting for the thread (safe on any thread, gRPC's included). */
    void stop() {
        closed = true;
        thread.interrupt();
    }

    @Override
    public void close() {
        stop();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
