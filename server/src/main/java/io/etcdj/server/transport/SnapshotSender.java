package io.etcdj.server.transport;

import com.google.protobuf.ByteString;
import io.etcdj.api.peer.FileChunk;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotHeader;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.api.peer.SnapshotTrailer;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Streams a snapshot to one peer: a header with the raft message, then every file of the checkpoint in chunks of
 * {@link #CHUNK_BYTES}, then a trailer with the stream's checksum ({@link SnapshotDigest}). One chunk is in memory at a time, and the next is read only once gRPC flow control says the
 * peer can take it, so memory stays bounded whatever the snapshot's size. Runs on its caller's thread.
 */
final class SnapshotSender {
    static final int CHUNK_BYTES = 1 << 20;
    /** How long a stalled transfer may wait for the peer before it is abandoned. */
    static final long STALL_TIMEOUT_MS = 30_000;

    private SnapshotSender() {}

    /** Sends; returns whether the peer received every file. */
    static boolean send(PeerGrpc.PeerStub stub, long clusterId, Message.SnapshotRequest m, Path checkpoint)
            throws IOException {
        Thread self = Thread.currentThread();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        ClientCallStreamObserver<SnapshotChunk>[] stream = new ClientCallStreamObserver[1];
        stub.sendSnapshot(new ClientResponseObserver<SnapshotChunk, SnapshotSummary>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requests) {
                stream[0] = requests;
                requests.setOnReadyHandler(() -> LockSupport.unpark(self));
            }

            @Override
            public void onNext(SnapshotSummary value) {
                done.complete(true);
            }

            @Override
            public void onError(Throwable t) {
                done.complete(false);
                LockSupport.unpark(self);
            }

            @Override
            public void onCompleted() {
                done.complete(true);
            }
        });
        ClientCallStreamObserver<SnapshotChunk> out = stream[0];
        long total;
        List<Path> files;
        try (Stream<Path> s = Files.list(checkpoint)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        out.onNext(SnapshotChunk.newBuilder()
                .setHeader(SnapshotHeader.newBuilder()
                        .setClusterId(clusterId)
                        .setFrom(m.from())
                        .setTo(m.to())
                        .setMessage(ByteString.copyFrom(RaftCodec.encode(m)))
                        .setTotalBytes(total))
                .build());
        SnapshotDigest digest = new SnapshotDigest();
        byte[] buf = new byte[CHUNK_BYTES];
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                boolean sentAny = false;
                while (true) {
                    int n = in.readNBytes(buf, 0, buf.length);
                    boolean last = n < buf.length;
                    if (n == 0 && sentAny) {
                        // the previous chunk filled the buffer exactly: close the file with an empty last chunk
                        last = true;
                    }
                    if (!awaitReady(out, done)) {
                        out.cancel("snapshot transfer stalled or failed", null);
                        return false;
                    }
                    String name = f.getFileName().toString();
                    digest.chunk(name, ByteBuffer.wrap(buf, 0, n), last);
                    out.onNext(SnapshotChunk.newBuilder()
                            .setFile(FileChunk.newBuilder()
                                    .setName(name)
                                    .setData(ByteString.copyFrom(buf, 0, n))
                                    .setLast(last))
                            .build());
                    sentAny = true;
                    if (last) {
                        break;
                    }
                }
            }
        }
        out.onNext(SnapshotChunk.newBuilder()
                .setTrailer(SnapshotTrailer.newBuilder().setSha256(ByteString.copyFrom(digest.finish())))
                .build());
        out.onCompleted();
        try {
            return done.get(STALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until the stream can take another chunk; false if it failed or stalled. */
    private static boolean awaitReady(ClientCallStreamObserver<SnapshotChunk> out, CompletableFuture<Boolean> done) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_TIMEOUT_MS);
        while (!out.isReady()) {
            if (done.isDone() || System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return !done.isDone() || done.getNow(false);
    }
}
