package io.etcdj.embed;

import io.etcdj.raft.Message;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.node.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A member's raft transport with {@link NetworkFaults} applied: a message between members that are cut from each
 * other is dropped on the way out and again on the way in (one already queued when the cut began). Raft treats a
 * dropped message as lost on the network; a dropped snapshot is reported as failed so raft sends it again later.
 */
final class FaultyTransport implements Transport {
    private final Transport inner;
    private final NetworkFaults faults;
    /** The member's sink, set once by {@link #start} on the start-up thread, read by the raft driver. */
    private volatile Peers peers;

    FaultyTransport(Transport inner, NetworkFaults faults) {
        this.inner = inner;
        this.faults = faults;
    }

    @Override
    public void start(Peers sink) {
        peers = sink;
        inner.start(new FilteredPeers(sink));
    }

    @Override
    public void send(List<Message> messages) {
        List<Message> through = new ArrayList<>(messages.size());
        for (Message m : messages) {
            if (faults.delivers(m.from(), m.to())) {
                through.add(m);
            } else if (m instanceof Message.SnapshotRequest && peers != null) {
                peers.reportSnapshot(m.to(), false);
            }
        }
        inner.send(through.size() == messages.size() ? messages : through);
    }

    @Override
    public void membersChanged(MemberRegistry.Members members) {
        inner.membersChanged(members);
    }

    @Override
    public boolean isActive(long memberId) {
        return inner.isActive(memberId);
    }

    @Override
    public void close() {
        inner.close();
    }

    /** The member's sink behind the inbound half of the faults. */
    private final class FilteredPeers implements Peers {
        private final Peers sink;

        FilteredPeers(Peers sink) {
            this.sink = sink;
        }

        @Override
        public void receive(Message m) {
            if (faults.delivers(m.from(), m.to())) {
                sink.receive(m);
            }
        }

        @Override
        public void reportUnreachable(long memberId) {
            sink.reportUnreachable(memberId);
        }

        @Override
        public void reportSnapshot(long memberId, boolean ok) {
            sink.reportSnapshot(memberId, ok);
        }

        @Override
        public void receiveSnapshot(Message.SnapshotRequest m, Path dir) {
            if (faults.delivers(m.from(), m.to())) {
                sink.receiveSnapshot(m, dir);
            } else {
                DataDirs.delete(dir); // this member owns the files now; dropped, they are just removed
            }
        }

        @Override
        public void removedFromCluster() {
            sink.removedFromCluster();
        }
    }
}
