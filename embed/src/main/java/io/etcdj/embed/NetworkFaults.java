package io.etcdj.embed;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which members of one cluster are cut from their peers: isolated (a partition: {@link EtcdMember#isolate}) or
 * paused ({@link EtcdMember#pause}). Members are named by raft ID, the ID raft messages carry. Every member's
 * transport asks {@link #delivers} for each message, going out and coming in; its other peer calls ask
 * {@link #connects} ({@link FaultyPeerCalls}).
 */
final class NetworkFaults {
    /** Raft IDs of isolated members; written by callers of isolate/heal, read by every member's transport. */
    private final Set<Long> isolated = ConcurrentHashMap.newKeySet();
    /** Raft IDs of paused members; likewise. */
    private final Set<Long> paused = ConcurrentHashMap.newKeySet();
    /** Which member listens on which peer port, from each member's first start on; read by every member's calls. */
    private final Map<Integer, Long> raftIdByPeerPort = new ConcurrentHashMap<>();

    /** Whether a raft message from {@code from} to {@code to} gets through. */
    boolean delivers(long from, long to) {
        return reachable(from) && reachable(to);
    }

    /** Records that the member with {@code raftId} listens for its peers on {@code peerPort}. */
    void listensOn(int peerPort, long raftId) {
        raftIdByPeerPort.put(peerPort, raftId);
    }

    /**
     * Whether the member listening on {@code fromPeerPort} gets a call through to the one listening on
     * {@code toPeerPort} (a member not started yet counts as reachable).
     */
    boolean connects(int fromPeerPort, int toPeerPort) {
        Long from = raftIdByPeerPort.get(fromPeerPort);
        Long to = raftIdByPeerPort.get(toPeerPort);
        return (from == null || reachable(from)) && (to == null || reachable(to));
    }

    boolean reachable(long raftId) {
        return !isolated.contains(raftId) && !paused.contains(raftId);
    }

    void isolate(long raftId, boolean on) {
        if (on) {
            isolated.add(raftId);
        } else {
            isolated.remove(raftId);
        }
    }

    void pause(long raftId, boolean on) {
        if (on) {
            paused.add(raftId);
        } else {
            paused.remove(raftId);
        }
    }
}
