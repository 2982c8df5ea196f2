package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.server.common.EtcdError;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.function.BooleanSupplier;

/**
 * etcd's rule for learners: a learner answers only Maintenance.Status and serializable Range; every other call gets
 * "etcdserver: rpc not supported for learner" (clients then go to another member).
 */
public final class LearnerGuard implements ServerInterceptor {
    private static final String STATUS = "etcdserverpb.Maintenance/Status";
    private static final String RANGE = "etcdserverpb.KV/Range";

    private final BooleanSupplier isLearner;

    public LearnerGuard(BooleanSupplier isLearner) {
        this.isLearner = isLearner;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (!isLearner.getAsBoolean() || method.equals(STATUS)) {
            return next.startCall(call, headers);
        }
        if (!method.equals(RANGE)) {
            refuse(call);
            return new ServerCall.Listener<>() {};
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            /** gRPC calls a listener one method at a time. */
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (message instanceof RangeRequest r && !r.getSerializable()) {
                    refused = true;
                    refuse(call);
                } else {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    private static void refuse(ServerCall<?, ?> call) {
        EtcdError e = EtcdError.NOT_SUPPORTED_FOR_LEARNER;
        call.close(io.grpc.Status.fromCode(e.code()).withDescription(e.message()), new Metadata());
    }
}
