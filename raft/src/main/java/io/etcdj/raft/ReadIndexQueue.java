package io.etcdj.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's pending linearizable reads. Requests are grouped into rounds: a round records the commit
 * index when it starts and is confirmed once a quorum of voters acknowledges a heartbeat sent at or after
 * its start. One round is in flight at a time; requests that arrive meanwhile wait and share the next
 * round, so concurrent reads cost one heartbeat round, not one each.
 */
final class ReadIndexQueue {
    /** One read request: who asked (this member or a follower) and its opaque context. */
    record Request(long from, byte[] context) {
    }

    /** A started round. */
    record Round(long id, long index, List<Request> requests) {
    }

    private final int maxPending;
    private List<Request> waiting = new ArrayList<>();
    private final ArrayDeque<Round> rounds = new ArrayDeque<>();
    private long lastRoundId;
    private int size;

    ReadIndexQueue(int maxPending) {
        this.maxPending = maxPending;
    }

    /** Queues a request; returns false if the queue is full. */
    boolean add(long from, byte[] context) {
        if (size >= maxPending) {
            return false;
        }
        waiting.add(new Request(from, context));
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
        return lastRoundId;
    }

    /** Removes and returns every round with id at most {@code confirmedRound}. */
    List<Round> confirm(long confirmedRound) {
        List<Round> out = new ArrayList<>();
        while (!rounds.isEmpty() && rounds.peekFirst().id() <= confirmedRound) {
            Round r = rounds.pollFirst();
            size -= r.requests().size();
            out.add(r);
        }
        return out;
    }

    /** Drops every request (leadership lost: the askers time out and retry). */
    void clear() {
        waiting = new ArrayList<>();
        rounds.clear();
        size = 0;
    }
}
