package io.etcdj.server.node;

import io.etcdj.raft.ProposalRefusedException;
import io.etcdj.raft.RaftNode;
import io.etcdj.server.common.EtcdError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Leadership transfers waiting for their transferee to lead. Driver thread only. */
final class Transfers {
    private record Pending(long transferee, CompletableFuture<Void> done, long deadlineTick) {}

    private final List<Pending> pending = new ArrayList<>();

    /**
     * Asks {@code node} to hand leadership to {@code transferee} (a raft ID); {@code done} completes once it leads, or
     * fails when the core refuses or at {@code deadlineTick}.
     */
    void start(RaftNode node, long transferee, CompletableFuture<Void> done, long deadlineTick) {
        try {
            node.transferLeadership(transferee);
            pending.add(new Pending(transferee, done, deadlineTick));
        } catch (ProposalRefusedException e) {
            done.completeExceptionally((e.reason() == ProposalRefusedException.Reason.INVALID
                            ? EtcdError.BAD_LEADER_TRANSFEREE
                            : Refusals.of(e))
                    .exception());
        }
    }

    /** The leader is now {@code leader} (0: none): transfers to it are done. */
    void leaderIs(long leader) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (leader != 0 && p.transferee == leader) {
                it.remove();
                p.done.complete(null);
            }
        }
    }

    void expire(long nowTick) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.deadlineTick <= nowTick) {
                it.remove();
                p.done.completeExceptionally(EtcdError.TIMEOUT_LEADER_TRANSFER.exception());
            }
        }
    }

    void failAll() {
        pending.forEach(p -> p.done.completeExceptionally(EtcdError.STOPPED.exception()));
        pending.clear();
    }
}
