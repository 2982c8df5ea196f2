package io.etcdj.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.server.http.gateway.LocalCall;
import io.etcdj.server.http.gateway.LocalMethods;
import io.grpc.Metadata;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The gRPC interceptor's counts, on services called in-process. */
class GrpcMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Executor direct = Runnable::run;

    private double handled(String method, String code) {
        var c = registry.find("grpc_server_handled")
                .tag("grpc_method", method)
                .tag("grpc_code", code)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    @SuppressWarnings("unchecked")
    void countsUnaryOutcomesByGoCodeName() {
        ServerServiceDefinition kv = ServerInterceptors.intercept(
                new KVGrpc.KVImplBase() {
                    @Override
                    public void put(PutRequest r, StreamObserver<PutResponse> out) {
                        if (r.getKey().isEmpty()) {
                            out.onError(Status.INVALID_ARGUMENT
                                    .withDescription("etcdserver: key is not provided")
                                    .asRuntimeException());
                        } else {
                            out.onNext(PutResponse.getDefaultInstance());
                            out.onCompleted();
                        }
                    }
                },
                List.of(new GrpcMetrics(registry, true)));
        var put = (ServerMethodDefinition<PutRequest, PutResponse>) kv.getMethod("etcdserverpb.KV/Put");
        LocalMethods.unary(
                        put,
                        PutRequest.newBuilder()
                                .setKey(com.google.protobuf.ByteString.copyFromUtf8("k"))
                                .build(),
                        new Metadata(),
                        direct)
                .join();
        LocalMethods.unary(put, PutRequest.getDefaultInstance(), new Metadata(), direct)
                .exceptionally(e -> null)
                .join();
        assertEquals(1, handled("Put", "OK"));
        assertEquals(1, handled("Put", "InvalidArgument"));
        assertEquals(
                2,
                registry.find("grpc_server_started")
                        .tag("grpc_method", "Put")
                        .counter()
                        .count());
        assertEquals(
                2,
                registry.find("grpc_server_handling")
                        .tag("grpc_method", "Put")
                        .timer()
                        .count());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStreamTheClientLeavesIsCanceled() {
        ServerServiceDefinition watch = ServerInterceptors.intercept(
                new WatchGrpc.WatchImplBase() {
                    @Override
                    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(WatchRequest r) {
                                out.onNext(WatchResponse.newBuilder()
                                        .setCreated(true)
                                        .build());
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        };
                    }
                },
                List.of(new GrpcMetrics(registry, false)));
        var def = (ServerMethodDefinition<WatchRequest, WatchResponse>) watch.getMethod("etcdserverpb.Watch/Watch");
        LocalCall<WatchRequest, WatchResponse> call = LocalCall.start(
                def,
                new Metadata(),
                new LocalCall.Sink<>() {
                    @Override
                    public void onMessage(WatchResponse response) {}

                    @Override
                    public void onClose(Status status) {}
                },
                direct);
        call.send(WatchRequest.getDefaultInstance());
        call.send(WatchRequest.getDefaultInstance());
        call.cancel();
        assertEquals(1, handled("Watch", "Canceled"));
        assertEquals(
                2,
                registry.find("grpc_server_msg_received")
                        .tag("grpc_method", "Watch")
                        .counter()
                        .count());
        assertEquals(
                2,
                registry.find("grpc_server_msg_sent")
                        .tag("grpc_method", "Watch")
                        .counter()
                        .count());
        assertEquals(
                "bidi_stream",
                registry.find("grpc_server_started")
                        .tag("grpc_method", "Watch")
                        .counter()
                        .getId()
                        .getTag("grpc_type"));
    }
}
