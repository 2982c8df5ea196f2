package io.etcdj.server.node;

import io.etcdj.api.internal.LogCommand;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the services and the replicated log. Services hand writes to {@link #propose} and wait for
 * the applied result; linearizable reads wait for {@link #readBarrier} and then read the local store.
 *
 * <p>Implementations: {@link LocalLog} (a single member's durable log); the raft-backed cluster member replaces it
 * behind this interface.
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

    /** What this member knows of the log right now. */
    ConsensusStatus status();

    @Override
    void close();
}
