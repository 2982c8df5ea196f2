package io.etcdj.server.consensus;

import io.etcdj.api.internal.LogCommand;
import java.util.concurrent.CompletableFuture;

/** A {@link Consensus} in front of another that passes everything through; subclasses change what they need. */
public abstract class ForwardingConsensus implements Consensus {
    protected final Consensus log;

    protected ForwardingConsensus(Consensus log) {
        this.log = log;
    }

    @Override
    public CompletableFuture<Object> propose(LogCommand command) {
        return log.propose(command);
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        return log.readBarrier();
    }

    @Override
    public CompletableFuture<Void> moveLeader(long transferee) {
        return log.moveLeader(transferee);
    }

    @Override
    public ConsensusStatus status() {
        return log.status();
    }

    @Override
    public void close() {
        log.close();
    }
}
