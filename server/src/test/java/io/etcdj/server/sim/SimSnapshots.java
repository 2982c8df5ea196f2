package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.raft.Message;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.node.Transport;
import io.etcdj.server.transport.SnapshotStreams;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The snapshots of a simulated network, as the peer port streams them: the chunks its sender
 * ({@code SnapshotSender}) makes of the sender's checkpoint when the snapshot is sent, delivered in a few seeded
 * slices, a few simulated ms apart, to the addressee's receiver ({@code SnapshotReceiver}), one stream per sender and
 * peer at a time; a stream may be lost, cut midway or get a corrupted chunk (the seed's weather), and breaks when a link is cut
 * or its sender dies. The outcome is reported to the sending incarnation as the peer transport reports it.
 * Simulation thread only.
 */
final class SimSnapshots {
    /** A snapshot stream from one incarnation of a member to a peer. */
    private record OpenStream(Transport.Peers sender, long to) {}

    private final SimNetwork network;
    private final SimEvents events;
    /** The network's own: the seed's draws stay in the order they were before this class was split off. */
    private final SplittableRandom random;

    private final Path stagingDir;
    private final SimNetwork.SnapshotFiles snapshotFiles;
    /** The streams in flight (the peer port runs one per peer at a time). */
    private final Set<OpenStream> streaming = new HashSet<>();
    /** Told (raft ID, snapshot index) of each snapshot a member's receiver hands it whole. */
    BiConsumer<Long, Long> onHandedOver = (to, index) -> {};
    /** Streams cut midway (a chunk-level fault) and corrupted in transit: the seed's weather. */
    double cutRate;

    double corruptRate;
    long staged;
    /** Streams received whole, broken midway, and refused by the receiver (broken, corrupted). */
    long receivedWhole;

    long cut;
    long refused;

    SimSnapshots(
            SimNetwork network,
            SimEvents events,
            SplittableRandom random,
            Path stagingDir,
            SimNetwork.SnapshotFiles snapshotFiles) {
        this.network = network;
        this.events = events;
        this.random = random;
        this.stagingDir = stagingDir;
        this.snapshotFiles = snapshotFiles;
    }

    /** Streams the checkpoint {@code m} names to its addressee (or loses it, as the seed says). */
    void send(Message.SnapshotRequest m) {
        long index = m.snapshot().metadata().index();
        Transport.Peers sender = network.peers(m.from());
        if (!streaming.add(new OpenStream(sender, m.to()))) { // as the peer port: one stream per peer at a time
            events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + " dropped: one is in flight");
            return;
        }
        boolean lost = network.isCut(m.from(), m.to()) || random.nextDouble() < network.lossRate;
        List<SnapshotChunk> chunks = lost ? null : record(m);
        if (chunks == null) {
            events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + " lost");
            events.after(1 + random.nextInt(network.maxDelayMs * 4), null, () -> reportSnapshot(sender, m, false));
            return;
        }
        // The schedule must not depend on how many files RocksDB's checkpoint has (its background compactions make
        // that vary from run to run): the files arrive in a seeded number of deliveries, each a proportional slice.
        int deliveries = 2 + random.nextInt(3);
        int cutBefore = random.nextDouble() < cutRate ? 1 + random.nextInt(deliveries) : -1;
        Corruption corruption = cutBefore < 0 && random.nextDouble() < corruptRate
                ? new Corruption(random.nextDouble(), random.nextDouble(), random.nextInt(8))
                : null;
        events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + " sent in " + deliveries
                + " deliveries" + (cutBefore >= 0 ? ", cut before delivery " + cutBefore : "")
                + (corruption != null ? ", a chunk corrupted" : ""));
        new SnapshotTransfer(sender, m, chunks, deliveries, cutBefore, corruption).deliverLater(0);
    }

    /** A flipped bit: in the file chunk and at the byte at these fractions of the stream's and the chunk's length. */
    private record Corruption(double chunkAt, double byteAt, int bit) {
        int chunk(int chunks) { // a file chunk: never the first (header) nor the last (trailer)
            return 1 + (int) (chunkAt * (chunks - 2));
        }

        SnapshotChunk apply(SnapshotChunk c) {
            byte[] data = c.getFile().getData().toByteArray();
            if (data.length == 0) {
                data = new byte[] {1};
            } else {
                data[(int) (byteAt * data.length)] ^= (byte) (1 << bit);
            }
            return c.toBuilder()
                    .setFile(c.getFile().toBuilder().setData(ByteString.copyFrom(data)))
                    .build();
        }
    }

    /** The stream from {@code sender} ended: the sender learns the outcome, if it still runs. */
    private void reportSnapshot(Transport.Peers sender, Message.SnapshotRequest m, boolean ok) {
        streaming.remove(new OpenStream(sender, m.to()));
        streaming.removeIf(st -> !network.isLive(st.sender())); // the streams of senders that died
        if (sender != null && network.peers(m.from()) == sender) {
            sender.reportSnapshot(m.to(), ok);
        }
    }

    /**
     * What the peer port's sender streams for the sender's checkpoint at the message's index, as it was when sent;
     * null if the sender has none there.
     */
    private List<SnapshotChunk> record(Message.SnapshotRequest m) {
        try {
            Path copy = stagingDir.resolve("snapshot-" + staged++);
            Files.createDirectories(copy);
            try {
                if (!snapshotFiles.copyCheckpoint(
                        m.from(), m.snapshot().metadata().index(), copy)) {
                    return null;
                }
                return SnapshotStreams.record(1, m, copy);
            } finally {
                Checkpoints.deleteRecursively(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One snapshot stream, its chunks delivered in slices to the addressee's receiver ({@code SnapshotReceiver},
     * through {@link SnapshotStreams}) a few simulated ms apart, so that crashes, cuts and the seeded break midway
     * can strike while part of it has arrived. A stream that breaks (cut link, dead sender, seeded cut) is refused by
     * the receiver, which must then have deleted what arrived and handed nothing to the member; a receiver that dies
     * leaves its files for the next start to clear. The sender learns the outcome as the peer port reports it.
     */
    private final class SnapshotTransfer {
        /** The sending incarnation: the stream breaks when it dies. */
        private final Transport.Peers sender;

        private final Message.SnapshotRequest m;
        private final List<SnapshotChunk> chunks;
        /** Deliveries of the files after the header's; the stream breaks before delivery {@code cutBefore} (-1: never). */
        private final int deliveries;

        private final int cutBefore;
        private final Corruption corruption;
        /** The receiving incarnation, its receiver, and the directory it writes into (once the header arrived). */
        private Transport.Peers to;

        private SnapshotStreams.Receiving receiving;
        private Path dir;
        private boolean handedOver;

        SnapshotTransfer(
                Transport.Peers sender,
                Message.SnapshotRequest m,
                List<SnapshotChunk> chunks,
                int deliveries,
                int cutBefore,
                Corruption corruption) {
            this.sender = sender;
            this.m = m;
            this.chunks = chunks;
            this.deliveries = deliveries;
            this.cutBefore = cutBefore;
            this.corruption = corruption;
        }

        void deliverLater(int delivery) {
            events.after(1 + random.nextInt(network.maxDelayMs * 2), null, () -> deliver(delivery));
        }

        /** The first chunk of delivery {@code d} (1..deliveries; deliveries + 1: past the end). */
        private int firstChunk(int d) {
            return 1 + (int) ((long) (chunks.size() - 1) * (d - 1) / deliveries);
        }

        private void deliver(int delivery) {
            if (delivery == 0) {
                start();
                return;
            }
            if (network.peers(m.to()) != to) { // the receiving process died: its files stay until it starts again
                events.trace(
                        "snapshot " + index() + " to " + m.to() + ": the receiver died before delivery " + delivery);
                reportSnapshot(sender, m, false);
                return;
            }
            if (delivery == cutBefore || network.isCut(m.from(), m.to()) || network.peers(m.from()) != sender) {
                broken(delivery);
                return;
            }
            int corrupted = corruption == null ? -1 : corruption.chunk(chunks.size());
            for (int c = firstChunk(delivery); c < firstChunk(delivery + 1) && receiving.answer() == null; c++) {
                receiving.chunk(c == corrupted ? corruption.apply(chunks.get(c)) : chunks.get(c));
            }
            if (delivery == deliveries && receiving.answer() == null) {
                receiving.end();
            }
            Status answer = receiving.answer();
            if (answer == null) {
                deliverLater(delivery + 1);
            } else if (answer.isOk()) {
                receivedWhole++;
                events.trace("snapshot " + index() + " to " + m.to() + " received whole");
                reportSnapshot(sender, m, true);
            } else {
                refused(answer);
            }
        }

        private void start() {
            to = network.peers(m.to());
            if (to == null || network.isCut(m.from(), m.to())) {
                reportSnapshot(sender, m, false);
                return;
            }
            Checkpoints checkpoints = snapshotFiles.checkpoints(m.to());
            Set<Path> before = incomingDirs(checkpoints);
            receiving = SnapshotStreams.receive(checkpoints, new HandOver(to), 1L << 30);
            receiving.chunk(chunks.get(0));
            Set<Path> after = incomingDirs(checkpoints);
            after.removeAll(before);
            dir = after.isEmpty() ? null : after.iterator().next();
            if (receiving.answer() != null) {
                refused(receiving.answer());
            } else {
                deliverLater(1);
            }
        }

        /** The stream broke before {@code delivery}: gRPC tells the receiver, which must throw away what came. */
        private void broken(int delivery) {
            cut++;
            events.trace(
                    "snapshot " + index() + " to " + m.to() + " cut before delivery " + delivery + " of " + deliveries);
            if (Mutants.PARTIAL_SNAPSHOT_INSTALL.on()) {
                handOverPartial(firstChunk(delivery));
                return;
            }
            receiving.broken();
            refused(receiving.answer());
        }

        private void refused(Status answer) {
            refused++;
            events.trace("snapshot " + index() + " to " + m.to() + " refused: " + answer);
            if (handedOver) {
                fail("member " + m.to() + " was handed snapshot " + index() + " that its receiver then refused ("
                        + answer + ")");
            }
            if (dir != null && Files.exists(dir)) {
                fail("member " + m.to() + "'s receiver refused snapshot " + index() + " (" + answer
                        + ") but left what arrived in " + dir);
            }
            reportSnapshot(sender, m, false);
        }

        /** The mutant's broken receiver: what arrived is handed over as if it were the whole snapshot. */
        private void handOverPartial(int endChunk) {
            try {
                Path partial = snapshotFiles.checkpoints(m.to()).newIncoming();
                for (SnapshotChunk c : chunks.subList(1, endChunk)) {
                    if (c.hasFile()) {
                        Files.write(
                                partial.resolve(c.getFile().getName()),
                                c.getFile().getData().toByteArray(),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    }
                }
                to.receiveSnapshot(m, partial);
                reportSnapshot(sender, m, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private long index() {
            return m.snapshot().metadata().index();
        }

        private void fail(String why) {
            events.guard(() -> {
                throw new AssertionError(why);
            });
        }

        /** The member's side of the receiver: records that the stream was handed over whole. */
        private final class HandOver implements Transport.Peers {
            private final Transport.Peers member;

            HandOver(Transport.Peers member) {
                this.member = member;
            }

            @Override
            public void receiveSnapshot(Message.SnapshotRequest request, Path snapshotDir) {
                handedOver = true;
                onHandedOver.accept(m.to(), index());
                member.receiveSnapshot(request, snapshotDir);
            }

            @Override
            public void receive(Message message) {
                member.receive(message);
            }

            @Override
            public void reportUnreachable(long memberId) {
                member.reportUnreachable(memberId);
            }

            @Override
            public void reportSnapshot(long memberId, boolean ok) {
                member.reportSnapshot(memberId, ok);
            }

            @Override
            public void removedFromCluster() {
                member.removedFromCluster();
            }
        }
    }

    private static Set<Path> incomingDirs(Checkpoints checkpoints) {
        try (Stream<Path> s = Files.list(checkpoints.directory())) {
            return new HashSet<>(s.filter(p -> p.getFileName().toString().startsWith("incoming-"))
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
