package io.etcdj.server.lease;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.RocksDBException;

/**
 * A log for tests: proposals wait in order until {@link #applyAll}, which applies each to every member and
 * completes the proposer's future with the first member's result. Single-threaded.
 */
final class QueuedLog implements Consensus {
    private record Proposal(LogCommand command, CompletableFuture<Object> result) {}

    final List<Member> members = new ArrayList<>();
    private final Deque<Proposal> queue = new ArrayDeque<>();
    /** Every command applied, in order. */
    final List<LogCommand> applied = new ArrayList<>();

    QueuedLog(Member... members) {
        this.members.addAll(List.of(members));
    }

    @Override
    public CompletableFuture<Object> propose(LogCommand command) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        queue.add(new Proposal(command, f));
        return f;
    }

    int pending() {
        return queue.size();
    }

    /** Applies everything proposed so far (and what completions propose meanwhile); returns how many. */
    int applyAll() throws RocksDBException {
        int n = 0;
        Proposal p;
        while ((p = queue.poll()) != null) {
            Object result = null;
            for (int i = 0; i < members.size(); i++) {
                Object r = members.get(i).apply(p.command());
                if (i == 0) {
                    result = r;
                }
            }
            applied.add(p.command());
            p.result().complete(result);
            n++;
        }
        return n;
    }

    /** Refuses everything proposed so far, as a log that lost its leader would. */
    void failAll() {
        Proposal p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(new IllegalStateException("lost"));
        }
    }

    /** What the next read barriers answer: null confirms at once, else the round fails with it. */
    volatile Throwable readBarrierFailure;

    @Override
    public CompletableFuture<Void> readBarrier() {
        Throwable f = readBarrierFailure;
        return f == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(f);
    }

    @Override
    public ConsensusStatus status() {
        return new ConsensusStatus(1, 2, 0, 0, false);
    }

    @Override
    public void close() {}
}
