package io.etcdj.server.rpc;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ForwardingConsensus;
import java.util.concurrent.CompletableFuture;

/**
 * The services' way into the log: each command carries who asked (the call's caller, see {@link AuthGate}), so
 * that the applier checks the caller's permissions at the entry's place in the log on every member. A call whose
 * token is bad never reaches the log.
 */
public final class CallerStamp extends ForwardingConsensus {
    private final AuthGate gate;

    public CallerStamp(Consensus log, AuthGate gate) {
        super(log);
        this.gate = gate;
    }

    @Override
    public CompletableFuture<Object> propose(LogCommand command) {
        AuthInfo caller;
        try {
            caller = gate.caller();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return proposeAs(caller, command);
    }

    /** Proposes for a caller identified earlier (work that continues after the call's thread moved on). */
    public CompletableFuture<Object> proposeAs(AuthInfo caller, LogCommand command) {
        return log.propose(command.toBuilder().setCaller(caller.toCaller()).build());
    }
}
