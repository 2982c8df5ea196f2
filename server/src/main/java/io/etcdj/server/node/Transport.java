package io.etcdj.server.node;

import io.etcdj.raft.Message;
import io.etcdj.server.cluster.MemberRegistry;
import java.nio.file.Path;
import java.util.List;

/**
 * How raft messages leave this member. Sending never blocks: each peer has a bounded queue, and a message that does
 * not fit (or cannot be delivered) is dropped and reported through {@link Peers#reportUnreachable}, which raft
 * tolerates. A {@link Message.SnapshotRequest} makes the transport stream a copy of the store to that peer and
 * report the outcome through {@link Peers#reportSnapshot}.
 */
public interface Transport extends AutoCloseable {
    /** What the transport tells the member about; implemented by the raft member. */
    interface Peers {
        /** A message arrived from a peer. */
        void receive(Message m);

        /** A message to {@code memberId} could not be delivered. */
        void reportUnreachable(long memberId);

        /** The snapshot sent to {@code memberId} was installed there ({@code ok}) or failed. */
        void reportSnapshot(long memberId, boolean ok);

        /**
         * A snapshot arrived whole: its files are in {@code dir} (the member owns the directory from now on), and
         * {@code m} is the raft message to step once they are.
         */
        void receiveSnapshot(Message.SnapshotRequest m, Path dir);

        /** A peer refused this member's messages because it was removed from the cluster. */
        void removedFromCluster();
    }

    /** Starts delivering what arrives to {@code peers}. */
    void start(Peers peers);

    /** Queues messages for their addressees. */
    void send(List<Message> messages);

    /** The membership changed: connect to new members, update URLs, drop removed ones. */
    void membersChanged(MemberRegistry.Members members);

    /** Whether a message from {@code memberId} arrived recently (etcd's "active" peer, for reconfiguration checks). */
    boolean isActive(long memberId);

    @Override
    void close();

    /** The transport of a member that has no peers (a single-member cluster without a peer listener). */
    Transport NONE = new Transport() {
        @Override
        public void start(Peers peers) {}

        @Override
        public void send(List<Message> messages) {}

        @Override
        public void membersChanged(MemberRegistry.Members members) {}

        @Override
        public boolean isActive(long memberId) {
            return false;
        }

        @Override
        public void close() {}
    };
}
