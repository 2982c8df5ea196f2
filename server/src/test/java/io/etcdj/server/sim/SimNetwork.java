package io.etcdj.server.sim;

import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.checkpoint.Checkpoints;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.node.Transport;
import java.io.IOException;
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

/**
 * The peer network of a simulated cluster, as one {@link Transport} per member. Every raft message goes through the
 * codec (as on the wire), may be lost or duplicated, is delayed by a seeded amount (which reorders), and is lost when
 * the link from its sender to its addressee is cut when it is sent or when it arrives. Links are cut one way
 * ({@link #cut}), so a symmetric partition is two cuts. A snapshot travels as the peer port streams it
 * ({@link SimSnapshots}).
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
    /** Messages delivered. */
    long delivered;
    /** The snapshot streams (they share this network's links, weather and seed). */
    final SimSnapshots snapshots;

    SimNetwork(SimEvents events, SplittableRandom random, Path stagingDir, SnapshotFiles snapshotFiles) {
        this.events = events;
        this.random = random;
        this.snapshots = new SimSnapshots(this, events, random, stagingDir, snapshotFiles);
    }

    /** The receiving side of member {@code raftId}'s live incarnation; null while it is down. */
    Transport.Peers peers(long raftId) {
        return up.get(raftId);
    }

    /** Whether {@code peers} is the receiving side of a live incarnation. */
    boolean isLive(Transport.Peers peers) {
        return up.containsValue(peers);
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
            snapshots.send(s);
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
}
