package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.peer.SnapshotChunk;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.node.Transport;
import io.etcdj.server.transport.SnapshotStreams;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The peer network of a simulated cluster, as one {@link Transport} per member. Every raft message goes through the
 * codec (as on the wire), may be lost or duplicated, is delayed by a seeded amount (which reorders), and is lost when
 * the link from its sender to its addressee is cut when it is sent or when it arrives. Links are cut one way
 * ({@link #cut}), so a symmetric partition is two cuts. A snapshot travels as the peer port streams it: the chunks
 * its sender makes of the checkpoint when it is sent, delivered one by one to the addressee's receiver, which may be
 * cut midway or get a corrupted chunk (see {@link SnapshotTransfer}); the outcome is reported to the sender as the
 * peer transport reports it.
 */
final class SimNetwork {
    /** Where a member's checkpoints are, and where its received snapshots go. */
    interface SnapshotFiles {
        /** Copies the files of the sender's checkpoint at {@code index} into {@code to}; false if there is none. */
        boolean copyCheckpoint(long raftId, long index, Path to) throws IOException;

        /** The checkpoints of member {@code raftId}'s running incarnation (where its receiver writes). */
        Checkpoints checkpoints(long raftId);
    }

    private final SimEvents events;
    private final SplittableRandom random;
    private final Path stagingDir;
    private final SnapshotFiles snapshotFiles;
    /** Raft ID -> the live incarnation's receiving side (absent while the member is down). */
    private final Map<Long, Transport.Peers> up = new TreeMap<>();
    /** Cut links, as "from>to". */
    private final Set<String> cut = new HashSet<>();
    double lossRate;
    double duplicateRate;
    int maxDelayMs = 3;
    /** Whether member {@code to} (raft ID) refuses messages from {@code from}: it applied from's removal. */
    BiPredicate<Long, Long> refuses = (from, to) -> false;
    /** A snapshot stream from one incarnation of a member to a peer. */
    private record OpenStream(Transport.Peers sender, long to) {
    }

    /** The snapshot streams in flight (the peer port runs one per peer at a time). */
    private final Set<OpenStream> streaming = new HashSet<>();
    /** Told (raft ID, snapshot index) of each snapshot a member's receiver hands it whole. */
    BiConsumer<Long, Long> snapshotHandedOver = (to, index) -> { };
    /** Raft ID -> extra delay of what that member sends now (its fsyncs so far in this turn: a blocked driver). */
    private final Map<Long, LongSupplier> sendDelay = new HashMap<>();
    /** Snapshot sends cut midway (a chunk-level fault) and corrupted in transit: the seed's weather. */
    double snapshotCutRate;
    double snapshotCorruptRate;
    /** Messages and snapshots delivered, and of them messages. */
    long delivered;
    long messagesDelivered;
    long staged;
    /** Snapshot streams broken midway, and streams the receiver refused (broken, corrupted). */
    long snapshotsCut;
    long snapshotsRefused;

    SimNetwork(SimEvents events, SplittableRandom random, Path stagingDir, SnapshotFiles snapshotFiles) {
        this.events = events;
        this.random = random;
        this.stagingDir = stagingDir;
        this.snapshotFiles = snapshotFiles;
    }

    /** The transport of member {@code raftId}'s current incarnation. */
    Transport transport(long raftId) {
        return new Transport() {
            /** Whether this incarnation is closed (stopped or crashed); simulation thread only. */
            private boolean closed;

            @Override
            public void start(Peers peers) {
                up.put(raftId, peers);
            }

            @Override
            public void send(List<Message> messages) {
                if (!closed) {
                    messages.forEach(SimNetwork.this::send);
                }
            }

            @Override
            public void membersChanged(MemberRegistry.Members members) {
                // members are addressed by raft ID: nothing to connect
            }

            @Override
            public boolean isActive(long memberId) {
                return true;
            }

            @Override
            public void close() {
                closed = true;
                up.remove(raftId);
            }
        };
    }

    /** What member {@code raftId} sends is delayed by {@code delayMs} more (its fsyncs' time in this turn). */
    void delaySends(long raftId, LongSupplier delayMs) {
        sendDelay.put(raftId, delayMs);
    }

    /** A crashed member: its incarnation receives nothing more (what it already sent is still on the wire). */
    void down(long raftId) {
        up.remove(raftId);
    }

    void cut(long from, long to) {
        cut.add(from + ">" + to);
    }

    void mend(long from, long to) {
        cut.remove(from + ">" + to);
    }

    void heal() {
        cut.clear();
    }

    boolean isCut(long from, long to) {
        return cut.contains(from + ">" + to);
    }

    private void send(Message m) {
        if (m instanceof Message.SnapshotRequest s) {
            sendSnapshot(s);
            return;
        }
        if (isCut(m.from(), m.to()) || random.nextDouble() < lossRate) {
            return;
        }
        byte[] wire = RaftCodec.encode(m);
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        LongSupplier extra = sendDelay.get(m.from());
        long extraMs = extra == null ? 0 : extra.getAsLong();
        for (int i = 0; i < copies; i++) {
            events.after(1 + random.nextInt(maxDelayMs) + extraMs, null, () -> {
                Message got = RaftCodec.decode(wire);
                Transport.Peers to = up.get(got.to());
                if (to != null && refuses.test(got.from(), got.to())) {
                    Transport.Peers from = up.get(got.from());
                    if (from != null) { // as the peer port answers a removed member
                        from.removedFromCluster();
                    }
                    return;
                }
                if (to != null && !isCut(got.from(), got.to())) {
                    delivered++;
                    messagesDelivered++;
                    to.receive(got);
                }
            });
        }
    }

    private void sendSnapshot(Message.SnapshotRequest m) {
        long index = m.snapshot().metadata().index();
        Transport.Peers sender = up.get(m.from());
        if (!streaming.add(new OpenStream(sender, m.to()))) { // as the peer port: one stream per peer at a time
            events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + " dropped: one is in flight");
            return;
        }
        boolean lost = isCut(m.from(), m.to()) || random.nextDouble() < lossRate;
        List<SnapshotChunk> chunks = lost ? null : record(m);
        if (chunks == null) {
            events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + " lost");
            events.after(1 + random.nextInt(maxDelayMs * 4), null, () -> reportSnapshot(sender, m, false));
            return;
        }
        // a file chunk is never the first (header) nor the last (trailer)
        int cutAt = random.nextDouble() < snapshotCutRate ? 1 + random.nextInt(chunks.size() - 1) : -1;
        int corruptAt = cutAt < 0 && random.nextDouble() < snapshotCorruptRate
                ? 1 + random.nextInt(chunks.size() - 2) : -1;
        events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + " sent in " + chunks.size()
                + " chunks" + (cutAt >= 0 ? ", cut before chunk " + cutAt : "")
                + (corruptAt >= 0 ? ", chunk " + corruptAt + " corrupted" : ""));
        new SnapshotTransfer(sender, m, chunks, cutAt, corruptAt).deliverLater(0);
    }

    /** The stream from {@code sender} ended: the sender learns the outcome, if it still runs. */
    private void reportSnapshot(Transport.Peers sender, Message.SnapshotRequest m, boolean ok) {
        streaming.remove(new OpenStream(sender, m.to()));
        streaming.removeIf(st -> !up.containsValue(st.sender())); // the streams of senders that died
        if (sender != null && up.get(m.from()) == sender) {
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
                if (!snapshotFiles.copyCheckpoint(m.from(), m.snapshot().metadata().index(), copy)) {
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
     * One snapshot stream, its chunks delivered one at a time to the addressee's receiver ({@code SnapshotReceiver},
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
        private final int cutAt;
        private final int corruptAt;
        /** The receiving incarnation, its receiver, and the directory it writes into (once the header arrived). */
        private Transport.Peers to;
        private SnapshotStreams.Receiving receiving;
        private Path dir;
        private boolean handedOver;

        SnapshotTransfer(Transport.Peers sender, Message.SnapshotRequest m, List<SnapshotChunk> chunks, int cutAt,
                         int corruptAt) {
            this.sender = sender;
            this.m = m;
            this.chunks = chunks;
            this.cutAt = cutAt;
            this.corruptAt = corruptAt;
        }

        void deliverLater(int chunk) {
            events.after(1 + random.nextInt(maxDelayMs * 2), null, () -> deliver(chunk));
        }

        private void deliver(int chunk) {
            if (chunk == 0) {
                start();
                return;
            }
            if (up.get(m.to()) != to) { // the receiving process died: its files stay until it starts again
                events.trace("snapshot " + index() + " to " + m.to() + ": the receiver died after " + chunk
                        + " chunks");
                reportSnapshot(sender, m, false);
                return;
            }
            if (chunk == cutAt || isCut(m.from(), m.to()) || up.get(m.from()) != sender) {
                broken(chunk);
                return;
            }
            SnapshotChunk c = chunk == corruptAt ? corrupt(chunks.get(chunk)) : chunks.get(chunk);
            receiving.chunk(c);
            if (chunk == chunks.size() - 1) {
                receiving.end();
            }
            Status answer = receiving.answer();
            if (answer == null) {
                deliverLater(chunk + 1);
            } else if (answer.isOk()) {
                delivered++;
                events.trace("snapshot " + index() + " to " + m.to() + " received whole");
                reportSnapshot(sender, m, true);
            } else {
                refused(answer);
            }
        }

        private void start() {
            to = up.get(m.to());
            if (to == null || isCut(m.from(), m.to())) {
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

        /** The stream broke before chunk {@code chunk}: gRPC tells the receiver, which must throw away what came. */
        private void broken(int chunk) {
            snapshotsCut++;
            events.trace("snapshot " + index() + " to " + m.to() + " cut after " + chunk + " of " + chunks.size()
                    + " chunks");
            if (Mutants.PARTIAL_SNAPSHOT_INSTALL.on()) {
                handOverPartial(chunk);
                return;
            }
            receiving.broken();
            refused(receiving.answer());
        }

        private void refused(Status answer) {
            snapshotsRefused++;
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
        private void handOverPartial(int chunk) {
            try {
                Path partial = snapshotFiles.checkpoints(m.to()).newIncoming();
                for (SnapshotChunk c : chunks.subList(1, chunk)) {
                    if (c.hasFile()) {
                        Files.write(partial.resolve(c.getFile().getName()), c.getFile().getData().toByteArray(),
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
                snapshotHandedOver.accept(m.to(), index());
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

    /** One data byte of a file chunk flipped in transit (the trailer's checksum no longer matches). */
    private SnapshotChunk corrupt(SnapshotChunk c) {
        byte[] data = c.getFile().getData().toByteArray();
        if (data.length == 0) {
            return c.toBuilder().setFile(c.getFile().toBuilder().setData(ByteString.copyFrom(new byte[] {1})))
                    .build();
        }
        data[random.nextInt(data.length)] ^= (byte) (1 << random.nextInt(8));
        return c.toBuilder().setFile(c.getFile().toBuilder().setData(ByteString.copyFrom(data))).build();
    }

    private static Set<Path> incomingDirs(Checkpoints checkpoints) {
        try (Stream<Path> s = Files.list(checkpoints.directory())) {
            return new HashSet<>(s.filter(p -> p.getFileName().toString().startsWith("incoming-")).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) {
        try {
            Checkpoints.deleteRecursively(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
