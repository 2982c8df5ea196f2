package io.etcdj.server.transport;

import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.common.EtcdError;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Unary calls to the leader's peer service, for what only the leader can answer (lease keep-alives and TimeToLive,
 * membership changes). Fails with "no leader" when none is known; a call that times out fails with "request timed
 * out"; errors the leader answers with come back as they are.
 */
public final class LeaderCalls {
    private final PeerTransport transport;
    private final MemberRegistry registry;
    private final LongSupplier leaderId;
    private final long timeoutMs;

    public LeaderCalls(PeerTransport transport, MemberRegistry registry, LongSupplier leaderId, long timeoutMs) {
        this.transport = transport;
        this.registry = registry;
        this.leaderId = leaderId;
        this.timeoutMs = timeoutMs;
    }

    /** Calls {@code method} on the leader's peer stub; the result arrives through the observer it is given. */
    public <T> CompletableFuture<T> call(BiConsumer<PeerGrpc.PeerStub, StreamObserver<T>> method) {
        long leader = leaderId.getAsLong();
        MemberInfo m = leader == 0 ? null : registry.members().get(leader);
        if (m == null || m.peerUrls().isEmpty()) {
            return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        PeerGrpc.PeerStub stub =
                transport.stub(m.peerUrls().get(0)).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        method.accept(stub, new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                if (io.grpc.Status.fromThrowable(t).getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
                    result.completeExceptionally(EtcdError.TIMEOUT.exception());
                } else if (io.grpc.Status.fromThrowable(t).getCode() == io.grpc.Status.Code.UNAVAILABLE
                        && t instanceof io.grpc.StatusRuntimeException s
                        && s.getStatus().getDescription() == null) {
                    result.completeExceptionally(EtcdError.NO_LEADER.exception()); // the leader is not reachable
                } else {
                    result.completeExceptionally(t);
                }
            }

            @Override
            public void onCompleted() {}
        });
        return result;
    }
}
