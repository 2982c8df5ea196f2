package io.etcdj.server.node;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.metrics.ServerMetrics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Linearizable reads, batched: every read that arrives while no round is being started joins the pending round, and
 * the driver starts it as one ReadIndex request (its context is the round's 8-byte ID). When the confirmed
 * {@code ReadState} comes back, the round's reads complete once this member has applied its index.
 *
 * <p>State of a round: pending (joinable, any thread) -> in flight (driver thread) -> done (confirmed and applied,
 * or failed: refused, leader changed, timed out, stopped).
 *
 * <p>The peer transport may drop a forwarded request or its answer (a full queue, flow control), and raft does not
 * resend either; so a round in flight is asked again, with the same context, every {@code resendTicks} until it is
 * answered or expires (etcd 3.5+ does the same after 500 ms). A second answer to the same round finds it gone and is
 * ignored.
 */
final class ReadRounds {
    /** A batch of reads sharing one ReadIndex request. */
    static final class Round {
        final long id;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Driver thread only. */
        long deadlineTick;
        /** Driver thread only: when to ask again if no answer came. */
        long resendTick;

        Round(long id) {
            this.id = id;
        }

        byte[] context() {
            return ByteBuffer.allocate(8).putLong(id).array();
        }
    }

    /** Guarded by this. */
    private Round pending;
    /** Guarded by this. Random start: a stale answer from before a restart cannot match a round of this run. */
    private long nextId;
    /** Driver thread only. */
    private final Map<Long, Round> inFlight = new HashMap<>();

    ReadRounds() {
        this(ThreadLocalRandom.current().nextLong());
    }

    /** Rounds numbered from {@code firstId} (random, so that no answer from before a restart matches). */
    ReadRounds(long firstId) {
        this.nextId = firstId;
    }

    /** Joins the pending round, starting one if there is none (the caller then wakes the driver). */
    synchronized Round join() {
        if (pending == null) {
            pending = new Round(nextId++);
        }
        return pending;
    }

    /** Takes the pending round for the driver to start, or null. */
    synchronized Round takePending() {
        Round r = pending;
        pending = null;
        return r;
    }

    /** Driver: the round was handed to the core; it is asked again at {@code resendTick}, expires at {@code deadlineTick}. */
    void started(Round r, long resendTick, long deadlineTick) {
        r.resendTick = resendTick;
        r.deadlineTick = deadlineTick;
        inFlight.put(r.id, r);
    }

    /**
     * Driver: the rounds in flight unanswered at {@code nowTick} past their resend time, each given its next resend
     * time {@code nextResendTick}; the caller asks the core again for each.
     */
    List<Round> dueForResend(long nowTick, long nextResendTick) {
        List<Round> due = new ArrayList<>();
        for (Round r : inFlight.values()) {
            if (r.resendTick <= nowTick && r.deadlineTick > nowTick) {
                r.resendTick = nextResendTick;
                due.add(r);
            }
        }
        return due;
    }

    /** Driver: gives up on a round in flight (asking again was refused). */
    void fail(Round r, EtcdError error) {
        if (inFlight.remove(r.id) != null) {
            ServerMetrics.readIndexFailed();
            r.done.completeExceptionally(error.exception());
        }
    }

    /** Driver: the core confirmed the round with this context; it completes once {@code index} is applied. */
    void confirmed(byte[] context, long index, IndexWaiters applied) {
        if (context.length != 8) {
            return;
        }
        Round r = inFlight.remove(ByteBuffer.wrap(context).getLong());
        if (r != null) {
            applied.await(index).whenComplete((v, e) -> {
                if (e != null) {
                    r.done.completeExceptionally(e);
                } else {
                    r.done.complete(null);
                }
            });
        }
    }

    /** Driver: fails every round in flight (the leader changed: their answers will not come). */
    void failInFlight(EtcdError error) {
        List<Round> failed = new ArrayList<>(inFlight.values());
        inFlight.clear();
        failed.forEach(r -> {
            ServerMetrics.readIndexFailed();
            r.done.completeExceptionally(error.exception());
        });
    }

    /** Driver: fails rounds in flight past their deadline. */
    void expire(long nowTick) {
        for (Iterator<Round> it = inFlight.values().iterator(); it.hasNext(); ) {
            Round r = it.next();
            if (r.deadlineTick <= nowTick) {
                it.remove();
                ServerMetrics.readIndexFailed();
                r.done.completeExceptionally(EtcdError.TIMEOUT.exception());
            }
        }
    }

    /** Fails everything, pending included (stopping). */
    void failAll(EtcdError error) {
        Round p = takePending();
        if (p != null) {
            p.done.completeExceptionally(error.exception());
        }
        failInFlight(error);
    }
}
