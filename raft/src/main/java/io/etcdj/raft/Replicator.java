package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.HeartbeatRequest;
import io.etcdj.raft.Message.SnapshotRequest;
import io.etcdj.raft.Message.TimeoutNow;
import java.util.List;
import java.util.Map;

/**
 * The leader's outgoing replication traffic: appends (bounded by each member's {@link Progress} flow
 * control and the message size limit), snapshots for members behind the compaction point, heartbeats and
 * TimeoutNow.
 */
final class Replicator {
    private final Raft r;

    Replicator(Raft r) {
        this.r = r;
    }

    void sendTimeoutNow(long to) {
        r.send(new TimeoutNow(r.id, to, r.term));
    }

    void bcastAppend() {
        for (long id : r.tracker.progress().keySet()) {
            if (id != r.id) {
                maybeSendAppend(id, true);
            }
        }
    }

    void bcastHeartbeat(long readRound) {
        long commit = r.log.committed();
        for (Map.Entry<Long, Progress> e : r.tracker.progress().entrySet()) {
            long id = e.getKey();
            if (id != r.id) {
                // never tell a follower to commit beyond what it has acknowledged
                r.send(new HeartbeatRequest(r.id, id, r.term, Math.min(e.getValue().match, commit), readRound));
            }
        }
    }

    void sendAppend(long to) {
        maybeSendAppend(to, true);
    }

    /** Sends the next append (or snapshot) to {@code to} unless paused; returns whether anything was sent. */
    boolean maybeSendAppend(long to, boolean sendIfEmpty) {
        Progress pr = r.tracker.get(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        if (pr.next < r.log.firstIndex()) {
            return sendSnapshot(to, pr);
        }
        long lastIndex = r.log.lastIndex();
        long prevIndex = pr.next - 1;
        long prevTerm = r.log.term(prevIndex);
        List<Entry> ents =
                pr.next <= lastIndex ? r.log.slice(pr.next, lastIndex + 1, r.cfg.maxSizePerMsgBytes()) : List.of();
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        long sizeBytes = 0;
        for (Entry e : ents) {
            sizeBytes += e.sizeBytes();
        }
        r.send(new AppendRequest(r.id, to, r.term, prevIndex, prevTerm, ents, r.log.committed()));
        pr.sentEntries(ents.isEmpty() ? prevIndex : ents.get(ents.size() - 1).index(), sizeBytes, ents.size());
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        if (!pr.recentActive) {
            return false; // do not ship a snapshot to a member that may be down
        }
        Snapshot snap;
        try {
            snap = r.log.snapshot();
        } catch (SnapshotUnavailableException e) {
            return false;
        }
        if (snap.isEmpty()) {
            throw new IllegalStateException("invariant: member " + to + " needs a snapshot but there is none");
        }
        pr.becomeSnapshot(snap.metadata().index());
        r.send(new SnapshotRequest(r.id, to, r.term, snap));
        return true;
    }
}
