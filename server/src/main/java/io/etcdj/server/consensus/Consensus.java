package io.etcdj.server.consensus;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.node.RaftMember;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the services and the replicated log. Services hand writes to {@link #propose} and wait for
 * the applied result; linearizable reads wait for {@link #readBarrier} and then read the local store.
 *
 * <p>Implementation: {@link RaftMember} (a member of a raft group; a single member is a group of one).
 */
public interface Consensus extends AutoCloseable {
    /**
     * Appends the command to the log. Completes, once the entry is durable on a quorum and applied on this
     * member, with the applier's result: a response message, or an
     * {@link io.etcdj.server.common.EtcdException} for a refused request. Completes exceptionally with an
     * EtcdException when the command never reaches the log (too large, too many requests, no leader, stopped).
     */
    CompletableFuture<Object> propose(LogCommand command);

    /** Completes once this member has applied every entry committed before the call. */
    CompletableFuture<Void> readBarrier();

    /**
     * Hands leadership to member {@code transferee} and completes once it leads. Fails with "etcdserver: not leader"
     * unless this member leads, "etcdserver: bad leader transferee" unless the transferee is a voting member.
     */
    default CompletableFuture<Void> moveLeader(long transferee) {
        return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
    }

    /** What this member knows of the log right now. */
    ConsensusStatus status();

    @Override
    void close();
}
