package io.etcdj.server.sim;

import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.node.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The peer network of a simulated cluster, as one {@link Transport} per member. Every raft message goes through the
 * codec (as on the wire), may be lost or duplicated, is delayed by a seeded amount (which reorders), and is lost when
 * the link from its sender to its addressee is cut when it is sent or when it arrives. Links are cut one way
 * ({@link #cut}), so a symmetric partition is two cuts. A snapshot travels as a copy of the sender's checkpoint,
 * taken when it is sent, and its outcome is reported to the sender as the peer transport reports it.
 */
final class SimNetwork {
    /** Where a member's checkpoints are, and where its received snapshots go. */
    interface SnapshotFiles {
        /** Copies the files of the sender's checkpoint at {@code index} into {@code to}; false if there is none. */
        boolean copyCheckpoint(long raftId, long index, Path to) throws IOException;

        /** A new directory for a snapshot arriving at {@code raftId}. */
        Path incoming(long raftId) throws IOException;
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
    /** Raft ID -> extra delay of what that member sends now (its fsyncs so far in this turn: a blocked driver). */
    private final Map<Long, LongSupplier> sendDelay = new HashMap<>();
    long delivered;
    long staged;

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
                    to.receive(got);
                }
            });
        }
    }

    private void sendSnapshot(Message.SnapshotRequest m) {
        long index = m.snapshot().metadata().index();
        boolean lost = isCut(m.from(), m.to()) || random.nextDouble() < lossRate;
        Path copy = lost ? null : stage(m.from(), index);
        lost |= copy == null;
        events.trace("snapshot " + index + " from " + m.from() + " to " + m.to() + (lost ? " lost" : " sent"));
        events.after(1 + random.nextInt(maxDelayMs * 4), null, () -> {
            Transport.Peers to = up.get(m.to());
            boolean ok = copy != null && to != null && !isCut(m.from(), m.to());
            if (ok) {
                Path in = incoming(m.to(), copy);
                delivered++;
                to.receiveSnapshot(m, in);
            } else if (copy != null) {
                deleteTree(copy);
            }
            Transport.Peers from = up.get(m.from());
            if (from != null) {
                from.reportSnapshot(m.to(), ok);
            }
        });
    }

    /** A copy of the sender's checkpoint's files, as they were when sent; null if it has none at that index. */
    private Path stage(long from, long index) {
        try {
            Path copy = stagingDir.resolve("snapshot-" + staged++);
            Files.createDirectories(copy);
            if (!snapshotFiles.copyCheckpoint(from, index, copy)) {
                Files.delete(copy);
                return null;
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path incoming(long raftId, Path copy) {
        try {
            Path in = snapshotFiles.incoming(raftId);
            try (Stream<Path> files = Files.list(copy)) {
                for (Path f : files.sorted().toList()) {
                    Files.move(f, in.resolve(f.getFileName()));
                }
            }
            Files.delete(copy);
            return in;
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
