package io.etcdj.server.transport;

import io.etcdj.api.peer.FileChunk;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.node.Transport;
import io.etcdj.server.snap.Checkpoints;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one snapshot from the leader ({@code Peer.SendSnapshot}): writes its files into a new directory beside the
 * member's own checkpoints, one chunk at a time, and once every file is complete hands the raft message and the
 * directory to the member, which installs it when its raft core accepts the snapshot. gRPC calls one stream's
 * methods one at a time, so the fields need no lock.
 */
final class SnapshotReceiver implements StreamObserver<SnapshotChunk> {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);

    private final StreamObserver<SnapshotSummary> out;
    private final Checkpoints checkpoints;
    private final BiFunction<Long, Long, String> refusal;
    private final Supplier<Transport.Peers> peers;
    private Message.SnapshotRequest message;
    private Path dir;
    private FileChannel file;
    private String fileName;
    private long receivedBytes;
    private boolean failed;

    SnapshotReceiver(StreamObserver<SnapshotSummary> out, Checkpoints checkpoints,
                     BiFunction<Long, Long, String> refusal, Supplier<Transport.Peers> peers) {
        this.out = out;
        this.checkpoints = checkpoints;
        this.refusal = refusal;
        this.peers = peers;
    }

    @Override
    public void onNext(SnapshotChunk chunk) {
        if (failed) {
            return;
        }
        try {
            if (chunk.hasHeader()) {
                String refused = refusal.apply(chunk.getHeader().getClusterId(), chunk.getHeader().getFrom());
                if (refused != null || message != null) {
                    fail(Status.FAILED_PRECONDITION.withDescription(refused != null ? refused : "a second header"));
                    return;
                }
                if (!(RaftCodec.decode(chunk.getHeader().getMessage().toByteArray())
                        instanceof Message.SnapshotRequest m)) {
                    fail(Status.INVALID_ARGUMENT.withDescription("the header carries no snapshot request"));
                    return;
                }
                message = m;
                dir = checkpoints.newIncoming();
                LOG.info("receiving a snapshot at index {} from {} ({} bytes)", m.snapshot().metadata().index(),
                        Long.toHexString(m.from()), chunk.getHeader().getTotalBytes());
            } else if (chunk.hasFile() && message != null) {
                write(chunk.getFile());
            } else {
                fail(Status.INVALID_ARGUMENT.withDescription("a file chunk before the header"));
            }
        } catch (IOException | IllegalArgumentException e) {
            fail(Status.INTERNAL.withDescription("receiving the snapshot: " + e.getMessage()));
        }
    }

    private void write(FileChunk c) throws IOException {
        String name = c.getName();
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IOException("bad file name in snapshot: " + name);
        }
        if (file == null || !name.equals(fileName)) {
            closeFile();
            file = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            fileName = name;
        }
        var data = c.getData().asReadOnlyByteBuffer();
        while (data.hasRemaining()) {
            receivedBytes += file.write(data);
        }
        if (c.getLast()) {
            closeFile();
        }
    }

    private void closeFile() throws IOException {
        if (file != null) {
            file.force(true);
            file.close();
            file = null;
            fileName = null;
        }
    }

    @Override
    public void onError(Throwable t) {
        failed = true;
        cleanUp();
    }

    @Override
    public void onCompleted() {
        if (failed) {
            return;
        }
        Transport.Peers sink = peers.get();
        if (sink == null) {
            fail(Status.UNAVAILABLE.withDescription(PeerService.STARTING));
            return;
        }
        if (message == null || file != null) {
            fail(Status.FAILED_PRECONDITION.withDescription("incomplete snapshot"));
            return;
        }
        sink.receiveSnapshot(message, dir);
        out.onNext(SnapshotSummary.newBuilder().setReceivedBytes(receivedBytes).build());
        out.onCompleted();
    }

    private void fail(Status status) {
        failed = true;
        cleanUp();
        out.onError(status.asRuntimeException());
    }

    private void cleanUp() {
        try {
            closeFile();
            if (dir != null) {
                Checkpoints.deleteRecursively(dir);
            }
        } catch (IOException e) {
            LOG.warn("cleaning up a failed snapshot transfer: {}", e.toString());
        }
    }
}
