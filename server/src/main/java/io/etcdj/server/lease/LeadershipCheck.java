package io.etcdj.server.lease;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.consensus.Consensus;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms that this member still leads before its lessor acts as the primary (renews a lease, proposes revokes of
 * expired ones). Believing it leads is not enough: a leader whose disk or apply stalls, or that is cut off, keeps
 * that belief while the others elect a new leader, whose lessor then expires the leases the old one keeps renewing
 * (etcd-io/etcd#15247). The confirmation is a linearizable read round (a heartbeat a quorum acknowledges, then this
 * member's apply catching up to the commit index), after which the lessor must still be primary.
 *
 * <p>Batched: every confirmation asked while a round is pending joins that round ({@link Consensus#readBarrier}
 * batches), so one heartbeat round answers all keep-alives waiting at that moment.
 *
 * <p>Bounded in time: a confirmation not answered within {@code timeoutMs} fails. The log's own read deadline runs on
 * its driver thread, which is exactly what may be stuck (an fsync that hangs); {@link #expire} runs on the caller's
 * thread (the lease expirer's) against the injected clock. Every failure answers "not a primary lessor", as etcd
 * does, so the client tries again (possibly at another member) rather than take a renewal nobody guarantees.
 */
public final class LeadershipCheck {
    private static final Logger LOG = LoggerFactory.getLogger(LeadershipCheck.class);

    private final Consensus log;
    private final BooleanSupplier primary;
    private final MonotonicClock clock;
    private final long timeoutNanos;
    /**
     * Confirmations waiting for their round, by the round's future (rounds shared by many callers appear once), each
     * with the deadline at which it fails. Guarded by this. Bounded: entries leave on completion or deadline, and
     * the log starts at most one round at a time per batch of callers.
     */
    private final Map<CompletableFuture<Void>, Waiting> waiting = new LinkedHashMap<>();
    /** Whether the last confirmation failed: the first failure of a streak is logged, not each. Guarded by this. */
    private boolean failing;

    private record Waiting(CompletableFuture<Void> confirmed, long deadlineNanos) {}

    /**
     * @param log       the replicated log whose read rounds confirm leadership
     * @param primary   whether the lessor is primary now (checked once the round is confirmed)
     * @param clock     the clock deadlines are counted on
     * @param timeoutMs how long a confirmation may take before it fails
     */
    public LeadershipCheck(Consensus log, BooleanSupplier primary, MonotonicClock clock, long timeoutMs) {
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("timeoutMs must be positive: " + timeoutMs);
        }
        this.log = log;
        this.primary = primary;
        this.clock = clock;
        this.timeoutNanos = timeoutMs * 1_000_000L;
    }

    /**
     * Completes once this member is confirmed to lead, with everything committed before the call applied here; fails
     * with {@link EtcdError#NOT_PRIMARY} otherwise (not leader, leader changed, round timed out, stopped).
     */
    public CompletableFuture<Void> confirm() {
        if (!primary.getAsBoolean()) {
            return CompletableFuture.failedFuture(EtcdError.NOT_PRIMARY.exception());
        }
        CompletableFuture<Void> round = log.readBarrier();
        Waiting w;
        synchronized (this) {
            w = waiting.get(round);
            if (w != null) {
                return w.confirmed; // joined a round already asked for
            }
            w = new Waiting(new CompletableFuture<>(), clock.nanos() + timeoutNanos);
            if (!round.isDone()) {
                waiting.put(round, w);
            }
        }
        Waiting self = w;
        round.whenComplete((v, err) -> settle(round, self, err));
        return w.confirmed;
    }

    private void settle(CompletableFuture<Void> round, Waiting w, Throwable err) {
        synchronized (this) {
            waiting.remove(round);
        }
        if (err == null && primary.getAsBoolean()) {
            succeeded(w);
        } else {
            failed(w, err != null ? String.valueOf(unwrap(err).getMessage()) : "the lessor is no longer primary");
        }
    }

    /** Fails the confirmations past their deadline; returns how many. Any thread (the lease expirer's). */
    public int expire() {
        long now = clock.nanos();
        List<Waiting> late = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                if (w.deadlineNanos - now <= 0) {
                    it.remove();
                    late.add(w);
                }
            }
        }
        late.forEach(w -> failed(w, "no read round confirmed within " + timeoutNanos / 1_000_000 + " ms"));
        return late.size();
    }

    /** Confirmations waiting for their round now (for tests). */
    public synchronized int waiting() {
        return waiting.size();
    }

    private void succeeded(Waiting w) {
        synchronized (this) {
            failing = false;
        }
        w.confirmed.complete(null);
    }

    private void failed(Waiting w, String why) {
        boolean first;
        synchronized (this) {
            first = !failing;
            failing = true;
        }
        if (first) {
            LOG.warn(
                    "this member believes it leads but could not confirm it ({}); refusing lease renewals until it"
                            + " can: if it persists, check this member's disk latency and its network to the peers",
                    why);
        }
        w.confirmed.completeExceptionally(EtcdError.NOT_PRIMARY.exception());
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
