package io.etcdj.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's pending linearizable reads. Requests are grouped into rounds: a round's read index is the
 * commit index when its requests arrived, and the round is confirmed once a quorum of voters acknowledges
 * a heartbeat sent after all of them arrived. Requests join the newest round while its heartbeats have not
 * yet left in a Ready; otherwise they wait for the next round, which starts when no round is in flight.
 * Concurrent reads therefore cost one heartbeat round, not one each.
 */
final class ReadIndexQueue {
    /** One read request: who asked (this member or a follower) and its opaque context. */
    record Request(long from, byte[] context) {}

    /** A started round. */
    static final class Round {
        final long id;
        long index;
        final List<Request> requests;

        Round(long id, long index, List<Request> requests) {
            this.id = id;
            this.index = index;
            this.requests = requests;
        }
    }

    private final int maxPending;
    private List<Request> waiting = new ArrayList<>();
    private final ArrayDeque<Round> rounds = new ArrayDeque<>();
    private long lastRoundId;
    /** The newest round's heartbeats are still in the outbox: new requests may join it. */
    private boolean open;

    private int size;

    ReadIndexQueue(int maxPending) {
        this.maxPending = maxPending;
    }

    /** Queues a request received when the commit index was {@code commitIndex}; false if full. */
    boolean add(long from, byte[] context, long commitIndex) {
        if (size >= maxPending) {
            return false;
        }
        Request req = new Request(from, context);
        if (open && !rounds.isEmpty()) {
            Round last = rounds.peekLast();
            last.requests.add(req);
            last.index = Math.max(last.index, commitIndex);
        } else {
            waiting.add(req);
        }
        size++;
        return true;
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    boolean roundInFlight() {
        return !rounds.isEmpty();
    }

    /** Id of the newest started round, or 0; heartbeats carry it. */
    long lastRoundId() {
        return lastRoundId;
    }

    /** Starts a round for every waiting request at read index {@code commitIndex}; returns its id. */
    long startRound(long commitIndex) {
        rounds.addLast(new Round(++lastRoundId, commitIndex, waiting));
        waiting = new ArrayList<>();
        open = true;
        return lastRoundId;
    }

    /** The outbox was handed out: the newest round's heartbeats are on their way. */
    void close() {
        open = false;
    }

    /** Removes and returns every round with id at most {@code confirmedRound}. */
    List<Round> confirm(long confirmedRound) {
        List<Round> out = new ArrayList<>();
        while (!rounds.isEmpty() && rounds.peekFirst().id <= confirmedRound) {
            Round r = rounds.pollFirst();
            size -= r.requests.size();
            out.add(r);
        }
        if (rounds.isEmpty()) {
            open = false;
        }
        return out;
    }

    /** Drops every request (leadership lost: the askers time out and retry). */
    void clear() {
        waiting = new ArrayList<>();
        rounds.clear();
        open = false;
        size = 0;
    }
}
