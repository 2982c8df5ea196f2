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
