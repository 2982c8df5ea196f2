package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdj.api.peer.FileChunk;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotHeader;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.api.peer.SnapshotTrailer;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.node.Transport;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot streaming over real gRPC on loopback, {@link SnapshotSender} to {@link SnapshotReceiver}: a whole stream is
 * handed to the member; a corrupt, truncated, unterminated or oversized one is refused with a clear status, nothing
 * is handed over and nothing is left on disk.
 */
class SnapshotTransferTest {
    private static final Message.SnapshotRequest REQUEST = new Message.SnapshotRequest(
            2, 3, 5, new Snapshot(new SnapshotMetadata(10, 5, ConfState.ofVoters(List.of(2L, 3L))), new byte[0]));

    @TempDir
    Path dir;

    private Path source;
    private Checkpoints checkpoints;
    private Server server;
    private PeerGrpc.PeerStub peer;
    /** What the receiver handed to the member: the snapshot's directory. */
    private final CompletableFuture<Path> handedOver = new CompletableFuture<>();

    private volatile long maxBytes = Long.MAX_VALUE;

    @BeforeEach
    void start() throws Exception {
        source = Files.createDirectories(dir.resolve("leader/5-10"));
        byte[] sst = new byte[SnapshotSender.CHUNK_BYTES * 3 / 2]; // two chunks
        new SplittableRandom(7).nextBytes(sst);
        Files.write(source.resolve("000007.sst"), sst);
        Files.writeString(source.resolve("MANIFEST-000005"), "manifest");
        Files.write(source.resolve("OPTIONS"), new byte[0]);
        checkpoints = Checkpoints.open(dir.resolve("follower/snap"), null);
        Transport.Peers sink = new Transport.Peers() {
            @Override
            public void receive(Message m) {}

            @Override
            public void reportUnreachable(long memberId) {}

            @Override
            public void reportSnapshot(long memberId, boolean ok) {}

            @Override
            public void receiveSnapshot(Message.SnapshotRequest m, Path snapshotDir) {
                handedOver.complete(snapshotDir);
            }

            @Override
            public void removedFromCluster() {}
        };
        server = Server.builder()
                .http(0)
                .service(GrpcService.builder()
                        .addService(new PeerGrpc.PeerImplBase() {
                            @Override
                            public StreamObserver<SnapshotChunk> sendSnapshot(StreamObserver<SnapshotSummary> out) {
                                return new SnapshotReceiver(
                                        out, checkpoints, (cid, from) -> null, () -> sink, maxBytes);
                            }
                        })
                        .build())
                .build();
        server.start().join();
        peer = GrpcClients.newClient(
                "http://127.0.0.1:" + server.activeLocalPort(SessionProtocol.HTTP), PeerGrpc.PeerStub.class);
    }

    @AfterEach
    void stop() {
        server.stop().join();
    }

    private List<Path> sourceFiles() throws Exception {
        try (Stream<Path> s = Files.list(source)) {
            return s.sorted().toList();
        }
    }

    private long sourceBytes() throws Exception {
        long total = 0;
        for (Path f : sourceFiles()) {
            total += Files.size(f);
        }
        return total;
    }

    private static SnapshotChunk header(long totalBytes) {
        return SnapshotChunk.newBuilder()
                .setHeader(SnapshotHeader.newBuilder()
                        .setClusterId(1)
                        .setFrom(2)
                        .setTo(3)
                        .setMessage(ByteString.copyFrom(RaftCodec.encode(REQUEST)))
                        .setTotalBytes(totalBytes))
                .build();
    }

    private static SnapshotChunk file(String name, byte[] data, boolean last) {
        return SnapshotChunk.newBuilder()
                .setFile(FileChunk.newBuilder()
                        .setName(name)
                        .setData(ByteString.copyFrom(data))
                        .setLast(last))
                .build();
    }

    /** Each source file as one chunk, and a trailer over {@code checksummed} (the same chunks unless given). */
    private static SnapshotChunk trailer(List<SnapshotChunk> checksummed) {
        SnapshotDigest d = new SnapshotDigest();
        for (SnapshotChunk c : checksummed) {
            d.chunk(
                    c.getFile().getName(),
                    c.getFile().getData().asReadOnlyByteBuffer(),
                    c.getFile().getLast());
        }
        return SnapshotChunk.newBuilder()
                .setTrailer(SnapshotTrailer.newBuilder().setSha256(ByteString.copyFrom(d.finish())))
                .build();
    }

    private List<SnapshotChunk> wholeFiles() throws Exception {
        List<SnapshotChunk> chunks = new ArrayList<>();
        for (Path f : sourceFiles()) {
            chunks.add(file(f.getFileName().toString(), Files.readAllBytes(f), true));
        }
        return chunks;
    }

    /** Streams {@code parts} and completes; the status the receiver ends the call with. */
    private Status stream(List<SnapshotChunk> parts) throws Exception {
        CompletableFuture<Status> result = new CompletableFuture<>();
        StreamObserver<SnapshotChunk> in = peer.sendSnapshot(new StreamObserver<>() {
            @Override
            public void onNext(SnapshotSummary s) {}

            @Override
            public void onError(Throwable t) {
                result.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                result.complete(Status.OK);
            }
        });
        parts.forEach(in::onNext);
        in.onCompleted();
        return result.get(20, TimeUnit.SECONDS);
    }

    private void assertRefused(Status status, Status.Code code, String text) throws Exception {
        assertEquals(code, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains(text), status.toString());
        assertFalse(handedOver.isDone(), "nothing is handed to the member");
        try (Stream<Path> s = Files.list(checkpoints.directory())) {
            assertEquals(List.of(), s.toList(), "nothing is left on disk");
        }
    }

    @Test
    void aWholeSnapshotArrivesIntactAndIsHandedOver() throws Exception {
        assertTrue(SnapshotSender.send(peer, 1, REQUEST, source));
        Path got = handedOver.get(20, TimeUnit.SECONDS);
        for (Path f : sourceFiles()) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(got.resolve(f.getFileName())));
        }
    }

    @Test
    void aCorruptChunkIsRefused() throws Exception {
        List<SnapshotChunk> good = wholeFiles();
        List<SnapshotChunk> sent = new ArrayList<>(good);
        byte[] flipped = good.get(0).getFile().getData().toByteArray();
        flipped[12345] ^= 1;
        sent.set(0, file(good.get(0).getFile().getName(), flipped, true));
        List<SnapshotChunk> parts = new ArrayList<>(List.of(header(sourceBytes())));
        parts.addAll(sent);
        parts.add(trailer(good));
        assertRefused(stream(parts), Status.Code.DATA_LOSS, "checksum mismatch");
    }

    @Test
    void aTruncatedStreamIsRefused() throws Exception {
        List<SnapshotChunk> all = wholeFiles();
        List<SnapshotChunk> some = List.of(all.get(0), all.get(2)); // the manifest is missing
        List<SnapshotChunk> parts = new ArrayList<>(List.of(header(sourceBytes())));
        parts.addAll(some);
        parts.add(trailer(some)); // even with a checksum that matches what came
        assertRefused(stream(parts), Status.Code.DATA_LOSS, "the header announced");
    }

    @Test
    void aStreamWithoutItsTrailerIsRefused() throws Exception {
        List<SnapshotChunk> parts = new ArrayList<>(List.of(header(sourceBytes())));
        parts.addAll(wholeFiles());
        assertRefused(stream(parts), Status.Code.FAILED_PRECONDITION, "incomplete");
    }

    @Test
    void moreDataThanAnnouncedIsRefused() throws Exception {
        List<SnapshotChunk> parts = new ArrayList<>(List.of(header(10)));
        parts.addAll(wholeFiles());
        assertRefused(stream(parts), Status.Code.INVALID_ARGUMENT, "more data than the 10 bytes");
    }

    @Test
    void aSnapshotLargerThanTheLimitIsRefusedAtTheHeader() throws Exception {
        maxBytes = 1000;
        assertFalse(SnapshotSender.send(peer, 1, REQUEST, source));
        assertRefused(
                stream(List.of(header(sourceBytes()))),
                Status.Code.RESOURCE_EXHAUSTED,
                "this member takes at most 1000 bytes");
        assertRefused(stream(List.of(header(-1))), Status.Code.RESOURCE_EXHAUSTED, "18446744073709551615 bytes");
    }

    @Test
    void theLimitFollowsTheQuota() {
        assertEquals(2 * (2L << 30) + (1L << 30), SnapshotLimit.forQuota(2L << 30));
        assertEquals(Long.MAX_VALUE, SnapshotLimit.forQuota(Long.MAX_VALUE));
    }
}
