package io.etcdj.raft;

/** The leader's knowledge of one member's log, and the flow control toward it. */
final class Progress {
    /** Highest index known to match the leader's log. */
    long match;
    /** Next index to send. */
    long next;

    ProgressState state = ProgressState.PROBE;
    /** In SNAPSHOT: index of the snapshot sent. */
    long pendingSnapshot;
    /** Heard from since the last CheckQuorum round. */
    boolean recentActive;
    /** In PROBE: an append was sent and not yet answered (wait for a heartbeat response). */
    boolean probeSent;

    boolean learner;
    /** Highest read-index round this member acknowledged. */
    long readAckRound;

    final Inflights inflights;

    Progress(long next, int maxInflightMsgs, long maxInflightBytes, boolean learner) {
        this.next = next;
        this.learner = learner;
        this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
    }

    private void resetState(ProgressState s) {
        probeSent = false;
        pendingSnapshot = 0;
        state = s;
        inflights.reset();
    }

    void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            long pending = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, pending + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** Records an acknowledgement up to {@code index}; returns whether match advanced. */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /** Records that an append ending at {@code lastIndex} of {@code sizeBytes} was sent. */
    void sentEntries(long lastIndex, long sizeBytes, int count) {
        switch (state) {
            case REPLICATE -> {
                if (count > 0) {
                    next = lastIndex + 1;
                    inflights.add(lastIndex, sizeBytes);
                }
            }
            case PROBE -> probeSent = true;
            case SNAPSHOT -> throw new IllegalStateException("invariant: append sent in SNAPSHOT state");
        }
    }

    /**
     * Handles a rejection of the append at {@code rejected}; the follower (or our own log, with its hint)
     * says the logs may match at {@code matchHint}. Returns false if the rejection is stale.
     */
    boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + (learner ? " learner" : "")
                + (state == ProgressState.SNAPSHOT ? " pendingSnap=" + pendingSnapshot : "")
                + " inflight=" + inflights.count();
    }
}
