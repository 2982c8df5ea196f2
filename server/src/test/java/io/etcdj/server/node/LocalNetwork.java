package io.etcdj.server.node;

import io.etcdj.raft.Message;
import io.etcdj.server.cluster.MemberRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An in-process network between raft members: delivers at once, and can cut a member off. */
final class LocalNetwork {
    /** Raft ID -> the member's receiving side. */
    private final Map<Long, Transport.Peers> members = new ConcurrentHashMap<>();

    private final Set<Long> isolated = ConcurrentHashMap.newKeySet();
    /** Members whose sends block (their driver thread hangs, as on an fsync that never returns), until released. */
    private final Map<Long, java.util.concurrent.CountDownLatch> stalled = new ConcurrentHashMap<>();
    /** Message type -> how many more messages of that type to lose on the way. */
    private final Map<Class<? extends Message>, java.util.concurrent.atomic.AtomicInteger> toLose =
            new ConcurrentHashMap<>();
    /** Members whose driver is blocked in a send now. */
    private final Set<Long> stuck = ConcurrentHashMap.newKeySet();

    Transport transport(long raftId) {
        return new Transport() {
            @Override
            public void start(Peers peers) {
                members.put(raftId, peers);
            }

            @Override
            public void send(List<Message> messages) {
                java.util.concurrent.CountDownLatch stall = stalled.get(raftId);
                if (stall != null && !messages.isEmpty()) {
                    stuck.add(raftId);
                    try {
                        stall.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    stuck.remove(raftId);
                }
                for (Message m : messages) {
                    Peers to = members.get(m.to());
                    if (lose(m)) {
                        continue;
                    }
                    if (to == null || isolated.contains(raftId) || isolated.contains(m.to())) {
                        Peers self = members.get(raftId);
                        if (m instanceof Message.SnapshotRequest && self != null) {
                            self.reportSnapshot(m.to(), false);
                        }
                        continue;
                    }
                    to.receive(m);
                }
            }

            @Override
            public void membersChanged(MemberRegistry.Members m) {
                // members are addressed by raft ID here: nothing to connect
            }

            @Override
            public boolean isActive(long memberId) {
                return true;
            }

            @Override
            public void close() {
                members.remove(raftId);
            }
        };
    }

    /** Loses the next {@code count} messages of {@code type} sent by anyone (as a full peer queue drops them). */
    void loseNext(Class<? extends Message> type, int count) {
        toLose.put(type, new java.util.concurrent.atomic.AtomicInteger(count));
    }

    /** Whether the network loses {@code m}; counts it against {@link #loseNext}. */
    private boolean lose(Message m) {
        java.util.concurrent.atomic.AtomicInteger left = toLose.get(m.getClass());
        return left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /** How many of the messages {@link #loseNext} asked to lose have not been lost yet. */
    int stillToLose(Class<? extends Message> type) {
        java.util.concurrent.atomic.AtomicInteger left = toLose.get(type);
        return left == null ? 0 : left.get();
    }

    void isolate(long raftId) {
        isolated.add(raftId);
    }

    /** Makes member {@code raftId}'s driver hang at its next send, until {@link #release}. */
    void stall(long raftId) {
        stalled.put(raftId, new java.util.concurrent.CountDownLatch(1));
    }

    /** Whether member {@code raftId}'s driver hangs in a send now. */
    boolean isStuck(long raftId) {
        return stuck.contains(raftId);
    }

    void release(long raftId) {
        java.util.concurrent.CountDownLatch l = stalled.remove(raftId);
        if (l != null) {
            l.countDown();
        }
    }

    void heal(long raftId) {
        isolated.remove(raftId);
    }
}
