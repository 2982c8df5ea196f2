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

    Transport transport(long raftId) {
        return new Transport() {
            @Override
            public void start(Peers peers) {
                members.put(raftId, peers);
            }

            @Override
            public void send(List<Message> messages) {
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

    void heal(long raftId) {
        isolated.remove(raftId);
    }
}
