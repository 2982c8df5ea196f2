package io.etcdj.server.transport;

import io.etcdj.api.peer.FileChunk;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.api.peer.SnapshotHeader;
import io.etcdj.api.peer.SnapshotSummary;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.node.Transport;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one snapshot from the leader ({@code Peer.SendSnapshot}): writes its files into a new directory beside the
 * member's own checkpoints, one chunk at a time, and hands the raft message and the directory to the member (which
 * installs it when its raft core accepts the snapshot) only once the stream proved whole: exactly the bytes the
 * header announced, every file closed, and the trailer's checksum ({@link SnapshotDigest}) equal to what arrived.
 * Anything else (a snapshot larger than this member takes, more or fewer bytes than announced, a bad checksum, a
 * stream cut short) is refused with a status that says why, and the directory is deleted: nothing is installed.
 *
 * <p>gRPC calls one stream's methods one at a time, so the fields need no lock.
 */
final class SnapshotReceiver implements StreamObserver<SnapshotChunk> {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);
    /**
     * Files per snapshot. A RocksDB checkpoint holds its SST files (64 MiB each by default, so 1,600 for 100 GiB) and
     * a handful of others; without a cap, a stream of empty files could fill the directory with inodes.
     */
    static final int MAX_FILES = 100_000;

    private final StreamObserver<SnapshotSummary> out;
    private final Checkpoints checkpoints;
    private final BiFunction<Long, Long, String> refusal;
    private final Supplier<Transport.Peers> peers;
    private final long maxBytes;
    private Message.SnapshotRequest message;
    private long totalBytes;
    private Path dir;
    private FileChannel file;
    private String fileName;
    private int files;
    private long receivedBytes;
    private final SnapshotDigest digest = new SnapshotDigest();
    private boolean verified;
    private boolean failed;

    /** @param maxBytes the largest snapshot this member takes ({@link SnapshotLimit}) */
    SnapshotReceiver(
            StreamObserver<SnapshotSummary> out,
            Checkpoints checkpoints,
            BiFunction<Long, Long, String> refusal,
            Supplier<Transport.Peers> peers,
            long maxBytes) {
        this.out = out;
        this.checkpoints = checkpoints;
        this.refusal = refusal;
        this.peers = peers;
        this.maxBytes = maxBytes;
    }

    @Override
    public void onNext(SnapshotChunk chunk) {
        if (failed) {
            return;
        }
        try {
            if (chunk.hasHeader()) {
                header(chunk.getHeader());
            } else if (message == null) {
                fail(Status.INVALID_ARGUMENT.withDescription("snapshot: a chunk before the header"));
            } else if (verified) {
                fail(Status.INVALID_ARGUMENT.withDescription("snapshot: data after the trailer"));
            } else if (chunk.hasFile()) {
                write(chunk.getFile());
            } else if (chunk.hasTrailer()) {
                verify(chunk.getTrailer().getSha256().toByteArray());
            } else {
                fail(Status.INVALID_ARGUMENT.withDescription("snapshot: an empty chunk"));
            }
        } catch (IOException | IllegalArgumentException e) {
            fail(Status.INTERNAL.withDescription("receiving the snapshot: " + e.getMessage()));
        }
    }

    private void header(SnapshotHeader h) throws IOException {
        String refused = refusal.apply(h.getClusterId(), h.getFrom());
        if (refused != null || message != null) {
            fail(Status.FAILED_PRECONDITION.withDescription(refused != null ? refused : "snapshot: a second header"));
            return;
        }
        if (!(RaftCodec.decode(h.getMessage().toByteArray()) instanceof Message.SnapshotRequest m)) {
            fail(Status.INVALID_ARGUMENT.withDescription("snapshot: the header carries no snapshot request"));
            return;
        }
        long total = h.getTotalBytes();
        if (total < 0 || total > maxBytes) { // uint64: a huge value reads negative
            fail(Status.RESOURCE_EXHAUSTED.withDescription("snapshot of " + Long.toUnsignedString(total)
                    + " bytes refused: this member takes at most " + maxBytes + " bytes ("
                    + SnapshotLimit.EXPLANATION + ")"));
            return;
        }
        dir = checkpoints.newIncoming();
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (total > usable) {
            fail(Status.RESOURCE_EXHAUSTED.withDescription("snapshot of " + total + " bytes refused: only " + usable
                    + " bytes free under " + checkpoints.directory() + "; free disk space on this member"));
            return;
        }
        message = m;
        totalBytes = total;
        LOG.info(
                "receiving a snapshot at index {} from {} ({} bytes)",
                m.snapshot().metadata().index(),
                Long.toHexString(m.from()),
                total);
    }

    private void write(FileChunk c) throws IOException {
        String name = c.getName();
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            fail(Status.INVALID_ARGUMENT.withDescription("snapshot: bad file name " + name));
            return;
        }
        if (receivedBytes + c.getData().size() > totalBytes) {
            fail(Status.INVALID_ARGUMENT.withDescription(
                    "snapshot: more data than the " + totalBytes + " bytes the header announced"));
            return;
        }
        if (file == null || !name.equals(fileName)) {
            closeFile();
            if (++files > MAX_FILES) {
                fail(Status.INVALID_ARGUMENT.withDescription("snapshot: more than " + MAX_FILES + " files"));
                return;
            }
            file = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            fileName = name;
        }
        digest.chunk(name, c.getData().asReadOnlyByteBuffer(), c.getLast());
        ByteBuffer data = c.getData().asReadOnlyByteBuffer();
        while (data.hasRemaining()) {
            receivedBytes += file.write(data);
        }
        if (c.getLast()) {
            closeFile();
        }
    }

    private void verify(byte[] expected) throws IOException {
        if (file != null) {
            fail(Status.DATA_LOSS.withDescription("snapshot: file " + fileName + " was cut short"));
            return;
        }
        if (receivedBytes != totalBytes) {
            fail(Status.DATA_LOSS.withDescription(
                    "snapshot: " + receivedBytes + " bytes arrived, the header announced " + totalBytes));
            return;
        }
        if (!MessageDigest.isEqual(expected, digest.finish())) {
            fail(Status.DATA_LOSS.withDescription("snapshot: checksum mismatch (corrupted in transit)"));
            return;
        }
        verified = true;
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
        if (message == null || !verified) {
            fail(Status.FAILED_PRECONDITION.withDescription(
                    "snapshot: incomplete (the stream ended before its" + " checksum trailer)"));
            return;
        }
        sink.receiveSnapshot(message, dir);
        out.onNext(SnapshotSummary.newBuilder().setReceivedBytes(receivedBytes).build());
        out.onCompleted();
    }

    private void fail(Status status) {
        failed = true;
        if (status.getCode() != Status.Code.UNAVAILABLE) { // starting: the leader retries, nothing to see
            LOG.warn(
                    "refused a snapshot{}: {}; nothing was installed, the leader retries",
                    message == null
                            ? ""
                            : " at index " + message.snapshot().metadata().index() + " from "
                                    + Long.toHexString(message.from()),
                    status.getDescription());
        }
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
