package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.HeartbeatRequest;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.SnapshotRequest;

/**
 * The follower's side of replication: append a leader's entries where the logs match (or reject with a
 * hint for fast backtracking), learn the commit index, and install snapshots.
 */
final class Follower {
    private final Raft r;

    Follower(Raft r) {
        this.r = r;
    }

    void handleAppend(AppendRequest m) {
        if (m.prevIndex() < r.log.committed()) {
            r.send(new AppendResponse(r.id, m.from(), r.term, r.log.committed(), false, 0, 0));
            return;
        }
        long lastNew = r.log.maybeAppend(m.prevIndex(), m.prevTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            r.send(new AppendResponse(r.id, m.from(), r.term, lastNew, false, 0, 0));
            return;
        }
        // fast backtracking: point the leader at the last entry that could possibly match
        long hintIndex = Math.min(m.prevIndex(), r.log.lastIndex());
        hintIndex = r.log.findConflictByTerm(hintIndex, m.prevTerm());
        long hintTerm = r.log.term(hintIndex);
        r.send(new AppendResponse(r.id, m.from(), r.term, m.prevIndex(), true, hintIndex, hintTerm));
    }

    void handleHeartbeat(HeartbeatRequest m) {
        r.log.commitTo(Math.min(m.commit(), r.log.lastIndex()));
        r.send(new HeartbeatResponse(r.id, m.from(), r.term, m.readRound()));
    }

    void handleSnapshot(SnapshotRequest m) {
        if (restore(m.snapshot())) {
            r.send(new AppendResponse(r.id, m.from(), r.term, r.log.lastIndex(), false, 0, 0));
        } else {
            r.send(new AppendResponse(r.id, m.from(), r.term, r.log.committed(), false, 0, 0));
        }
    }

    /** Installs a leader's snapshot unless our log already has it; returns whether the log was replaced. */
    private boolean restore(Snapshot snap) {
        SnapshotMetadata meta = snap.metadata();
        if (meta.index() <= r.log.committed() || r.role != Role.FOLLOWER) {
            return false;
        }
        if (r.log.matchTerm(meta.index(), meta.term())) {
            r.log.commitTo(meta.index()); // we have the entries: just learn that they are committed
            return false;
        }
        r.log.restore(snap);
        r.membership.restoreConfig(meta);
        return true;
    }
}
