package io.etcdj.server.rpc;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.SnapshotResponse;
import io.etcdj.server.common.Versions;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.StoreClosedException;
import io.etcdj.server.mvcc.StoreSnapshot;
import io.etcdj.server.snapshot.BoltWriter;
import io.etcdj.server.snapshot.ChunkedSha256Output;
import io.etcdj.server.snapshot.StoreExport;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Maintenance.Snapshot call: the store at one moment written as an etcd (bbolt) database straight into the
 * response stream on a thread of its own, in 32 KiB chunks sent only while the client reads them (gRPC flow
 * control), then the SHA-256 of the whole file, as etcd sends it. The member keeps serving meanwhile; memory stays
 * at a few pages whatever the store's size.
 */
final class SnapshotStream {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);
    /** Snapshots streamed at once; each holds a RocksDB snapshot (old versions kept) and a thread. */
    private static final int MAX_CONCURRENT = 4;

    private static final Semaphore SLOTS = new Semaphore(MAX_CONCURRENT);

    private final MvccStore store;
    private final ServerCallStreamObserver<SnapshotResponse> out;
    private final ResponseHeader header;
    /** Guards nothing but the wait for readiness or cancellation. */
    private final Object readiness = new Object();

    private volatile boolean cancelled;
    /** Written by the sending thread only. */
    private boolean headerSent;

    private SnapshotStream(MvccStore store, ServerCallStreamObserver<SnapshotResponse> out, ResponseHeader header) {
        this.store = store;
        this.out = out;
        this.header = header;
    }

    /** Starts streaming; called on the gRPC thread, which returns at once. */
    static void start(MvccStore store, ServerCallStreamObserver<SnapshotResponse> out, ResponseHeader header) {
        if (!SLOTS.tryAcquire()) {
            out.onError(Status.RESOURCE_EXHAUSTED
                    .withDescription("etcdserver: too many snapshots in progress (" + MAX_CONCURRENT + "); retry later")
                    .asRuntimeException());
            return;
        }
        SnapshotStream s = new SnapshotStream(store, out, header);
        out.setOnReadyHandler(s::wake);
        out.setOnCancelHandler(() -> {
            s.cancelled = true;
            s.wake();
        });
        Thread.ofPlatform().name("snapshot-send").daemon().start(() -> {
            try {
                s.run();
            } finally {
                SLOTS.release();
            }
        });
    }

    private void wake() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }

    private void run() {
        long startNanos = System.nanoTime();
        try (StoreSnapshot snap = StoreSnapshot.open(store)) {
            BoltWriter writer = new BoltWriter(StoreExport.buckets(snap));
            BoltWriter.Layout layout = writer.measure();
            LOG.info(
                    "sending database snapshot to client: {} bytes, revision {}",
                    layout.sizeBytes(),
                    snap.currentRevision());
            ChunkedSha256Output chunks = new ChunkedSha256Output(layout.sizeBytes(), this::send);
            writer.writeTo(chunks);
            byte[] sha = chunks.finish();
            awaitReady();
            out.onNext(SnapshotResponse.newBuilder()
                    .setRemainingBytes(0)
                    .setBlob(ByteString.copyFrom(sha))
                    .setVersion(Versions.STORAGE)
                    .build());
            out.onCompleted();
            LOG.info(
                    "sent database snapshot: {} bytes in {} ms",
                    layout.sizeBytes(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        } catch (InterruptedIOException e) {
            LOG.info("database snapshot stream canceled by the client");
        } catch (StoreClosedException e) {
            fail(Status.UNAVAILABLE.withDescription("etcdserver: server stopped"));
        } catch (IOException | RuntimeException e) {
            LOG.warn("database snapshot failed: {}", e.toString());
            fail(Status.INTERNAL.withDescription("etcdserver: snapshot failed: " + e.getMessage()));
        }
    }

    private void fail(Status status) {
        if (!cancelled) {
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // the call is already closed
            }
        }
    }

    private void send(byte[] blob, int length, long remainingBytes) throws IOException {
        awaitReady();
        SnapshotResponse.Builder r = SnapshotResponse.newBuilder()
                .setRemainingBytes(remainingBytes)
                .setBlob(ByteString.copyFrom(blob, 0, length))
                .setVersion(Versions.STORAGE); // etcd 3.6: the storage version, on every message
        if (!headerSent) {
            r.setHeader(header);
            headerSent = true;
        }
        out.onNext(r.build());
    }

    /** Waits until the client can take another message; a canceled call ends the stream. */
    private void awaitReady() throws InterruptedIOException {
        synchronized (readiness) {
            while (!out.isReady()) {
                if (cancelled || out.isCancelled()) {
                    throw new InterruptedIOException("canceled");
                }
                try {
                    readiness.wait(1000); // also covers a ready signal missed between the check and the wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
            }
        }
        if (cancelled) {
            throw new InterruptedIOException("canceled");
        }
    }
}
