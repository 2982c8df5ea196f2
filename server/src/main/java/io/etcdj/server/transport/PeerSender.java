package io.etcdj.server.transport;

import com.google.protobuf.ByteString;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.RaftBatch;
import io.etcdj.api.peer.SendSummary;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends raft messages to one peer: a bounded queue and one thread ({@code peer-send-<id>}) that keeps a client
 * stream of {@code Peer.Send} open and writes the queue into it in batches. A full queue, a stream that gRPC flow
 * control holds back for too long, or a broken connection drops messages and reports the peer unreachable; raft
 * retries. Reconnects with exponential backoff, trying each of the peer's URLs in turn. Nothing here blocks the
 * raft driver, and a slow or dead peer never holds up the others: each has its own queue and thread.
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

    private final long clusterId;
    private final long fromRaftId;
    private final long toRaftId;
    private final Function<String, PeerGrpc.PeerStub> stubs;
    private final LongConsumer unreachable;
    private final Runnable removed;
    private final BlockingQueue<Message> queue = new ArrayBlockingQueue<>(MAX_QUEUED_MESSAGES);
    private final Thread thread;
    /** The peer's URLs; replaced when its membership record changes. */
    private volatile List<String> urls;
    /** Set once, by {@link #close}. */
    private volatile boolean closed;
    /** Sender thread only. */
    private Stream stream;
    /** Sender thread only: which URL to try next. */
    private int urlIndex;

    /** One open Send stream; {@code broken} is set from gRPC threads. */
    private final class Stream implements ClientResponseObserver<RaftBatch, SendSummary> {
        volatile ClientCallStreamObserver<RaftBatch> requests;
        volatile boolean broken;

        @Override
        public void beforeStart(ClientCallStreamObserver<RaftBatch> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(() -> LockSupport.unpark(thread));
        }

        @Override
        public void onNext(SendSummary value) {
        }

        @Override
        public void onError(Throwable t) {
            if (!broken && !closed) {
                LOG.debug("stream to peer {} broke: {}", Long.toHexString(toRaftId), t.toString());
            }
            broken = true;
            if (PeerTransport.REMOVED_MEMBER.equals(io.grpc.Status.fromThrowable(t).getDescription())) {
                removed.run();
            }
            LockSupport.unpark(thread);
        }

        @Override
        public void onCompleted() {
            broken = true;
        }
    }

    PeerSender(long clusterId, long fromRaftId, long toRaftId, List<String> urls,
               Function<String, PeerGrpc.PeerStub> stubs, LongConsumer unreachable, Runnable removed) {
        this.clusterId = clusterId;
        this.fromRaftId = fromRaftId;
        this.toRaftId = toRaftId;
        this.urls = List.copyOf(urls);
        this.stubs = stubs;
        this.unreachable = unreachable;
        this.removed = removed;
        this.thread = Thread.ofPlatform().name("peer-send-" + Long.toHexString(toRaftId)).daemon()
                .start(this::run);
    }

    void setUrls(List<String> newUrls) {
        urls = List.copyOf(newUrls);
    }

    /** Queues a message; false (and the peer is reported unreachable) when the queue is full. */
    boolean offer(Message m) {
        if (queue.offer(m)) {
            return true;
        }
        unreachable.accept(toRaftId);
        return false;
    }

    private void run() {
        List<Message> batch = new ArrayList<>(MAX_BATCH_MESSAGES);
        long backoffMs = MIN_BACKOFF_MS;
        while (!closed) {
            try {
                Message first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH_MESSAGES - 1);
                if (send(batch)) {
                    backoffMs = MIN_BACKOFF_MS;
                } else {
                    dropped(batch);
                    if (!closed) {
                        Thread.sleep(backoffMs); // pacing reconnects to a peer that is down
                    }
                    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
                    List<Message> stale = new ArrayList<>();
                    queue.drainTo(stale); // what queued during the backoff is stale: raft resends
                    dropped(stale);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("sending to peer {} failed: {}", Long.toHexString(toRaftId), e.toString());
                dropped(batch);
                closeStream();
            }
        }
        closeStream();
    }

    private void dropped(List<Message> messages) {
        if (!messages.isEmpty()) {
            unreachable.accept(toRaftId);
        }
    }

    /** Writes the batch into the stream (opening one if needed); false if it could not. */
    private boolean send(List<Message> batch) {
        Stream s = openStream();
        if (s == null) {
            return false;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WAIT_MS);
        while (!s.requests.isReady() && !s.broken && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true; // the peer is slow: drop this batch but keep the connection
            }
            LockSupport.parkNanos(this, left);
        }
        if (s.broken) {
            closeStream();
            return false;
        }
        RaftBatch.Builder b = RaftBatch.newBuilder().setClusterId(clusterId).setFrom(fromRaftId).setTo(toRaftId);
        long bytes = 0;
        for (Message m : batch) {
            byte[] encoded = RaftCodec.encode(m);
            if (bytes > 0 && bytes + encoded.length > MAX_BATCH_BYTES) {
                s.requests.onNext(b.build());
                b.clearMessages();
                bytes = 0;
            }
            b.addMessages(ByteString.copyFrom(encoded));
            bytes += encoded.length;
        }
        s.requests.onNext(b.build());
        return true;
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
        stubs.apply(url).send(s);
        stream = s;
        return s;
    }

    private void closeStream() {
        Stream s = stream;
        stream = null;
        if (s != null && s.requests != null && !s.broken) {
            try {
                s.requests.onCompleted();
            } catch (RuntimeException e) {
                // already gone
            }
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
