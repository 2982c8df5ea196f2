package io.etcdj.server.node;

import io.etcdj.raft.ProposalRefusedException;
import io.etcdj.raft.RaftNode;
import io.etcdj.raft.ReadState;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.metrics.ServerMetrics;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Linearizable reads through the raft core: a read joins the pending round of {@link ReadRounds}; the driver hands
 * that round to the core as one ReadIndex request, asks again for rounds whose request or answer the transport may
 * have dropped, and completes a confirmed round once this member has applied its index. Rounds in flight fail when
 * the leader changes (their answers will not come), at their deadline, or when the member stops.
 *
 * <p>Threads: {@link #join} on any thread; the rest on the driver thread, which alone touches the core.
 */
final class LinearizableReads {
    private final ReadRounds rounds;
    /** Driver thread only. */
    private final RaftNode node;

    private final RaftSettings settings;
    private final IndexWaiters applied;
    private final Inbox inbox;

    LinearizableReads(ReadRounds rounds, RaftNode node, RaftSettings settings, IndexWaiters applied, Inbox inbox) {
        this.rounds = rounds;
        this.node = node;
        this.settings = settings;
        this.applied = applied;
        this.inbox = inbox;
    }

    /** Any thread: joins the pending round and wakes the driver; completes once the round's index is applied here. */
    CompletableFuture<Void> join() {
        CompletableFuture<Void> done = rounds.join().done;
        inbox.wake();
        return done;
    }

    /** Driver: hands the pending round, if any, to the core at tick {@code nowTick}. */
    void start(long nowTick) {
        ReadRounds.Round r = rounds.takePending();
        if (r == null) {
            return;
        }
        try {
            node.readIndex(r.context());
            rounds.started(r, nowTick + settings.readResendTicks(), nowTick + settings.requestTimeoutTicks());
        } catch (ProposalRefusedException e) {
            r.done.completeExceptionally(Refusals.of(e).exception());
        }
    }

    /** Driver: the tick count is {@code nowTick}; fails rounds past their deadline, asks again for overdue ones. */
    void ticked(long nowTick) {
        rounds.expire(nowTick);
        for (ReadRounds.Round r : rounds.dueForResend(nowTick, nowTick + settings.readResendTicks())) {
            try {
                node.readIndex(r.context());
                ServerMetrics.slowReadIndex();
            } catch (ProposalRefusedException e) {
                rounds.fail(r, Refusals.of(e));
            }
        }
    }

    /** Driver: the core confirmed these rounds (a Ready's read states). */
    void confirmed(List<ReadState> states) {
        for (ReadState rs : states) {
            rounds.confirmed(rs.context(), rs.index(), applied);
        }
    }

    /** Driver: the leader changed from a known one; the rounds in flight fail. */
    void leaderChanged() {
        rounds.failInFlight(EtcdError.LEADER_CHANGED);
    }

    /** Fails every round, pending included (stopping). */
    void failAll(EtcdError error) {
        rounds.failAll(error);
    }
}
