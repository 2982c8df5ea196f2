package io.etcdj.server.http.gateway;

import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The member's gRPC methods by full name ("etcdserverpb.KV/Range"), each behind the same interceptors as on the
 * gRPC port, for calls made inside the process ({@link LocalCall}). Immutable once built.
 */
public final class LocalMethods {
    private final Map<String, ServerMethodDefinition<?, ?>> byName;

    private LocalMethods(Map<String, ServerMethodDefinition<?, ?>> byName) {
        this.byName = byName;
    }

    public static LocalMethods of(List<BindableService> services, List<ServerInterceptor> interceptors) {
        Map<String, ServerMethodDefinition<?, ?>> byName = new LinkedHashMap<>();
        for (BindableService service : services) {
            ServerServiceDefinition def = ServerInterceptors.intercept(service, interceptors);
            for (ServerMethodDefinition<?, ?> m : def.getMethods()) {
                byName.put(m.getMethodDescriptor().getFullMethodName(), m);
            }
        }
        return new LocalMethods(Map.copyOf(byName));
    }

    public Collection<ServerMethodDefinition<?, ?>> all() {
        return byName.values();
    }

    /** Calls a unary method; completes with its response, or exceptionally with its status as an exception. */
    @SuppressWarnings("unchecked")
    public <Q, R> CompletableFuture<R> unary(String fullName, Q request, Executor loop) {
        ServerMethodDefinition<Q, R> def = (ServerMethodDefinition<Q, R>) byName.get(fullName);
        if (def == null) {
            return CompletableFuture.failedFuture(Status.UNIMPLEMENTED
                    .withDescription("unknown method " + fullName)
                    .asRuntimeException());
        }
        return unary(def, request, new Metadata(), loop);
    }

    /** Calls a unary method of this member with request metadata {@code headers}. */
    public static <Q, R> CompletableFuture<R> unary(
            ServerMethodDefinition<Q, R> def, Q request, Metadata headers, Executor loop) {
        CompletableFuture<R> result = new CompletableFuture<>();
        LocalCall<Q, R> call = LocalCall.start(
                def,
                headers,
                new LocalCall.Sink<>() {
                    /** Written by the method's thread before onClose, read in onClose: gRPC orders the two. */
                    private volatile R response;

                    @Override
                    public void onMessage(R r) {
                        response = r;
                    }

                    @Override
                    public void onClose(Status status) {
                        if (!status.isOk()) {
                            result.completeExceptionally(status.asRuntimeException());
                        } else if (response == null) {
                            result.completeExceptionally(Status.INTERNAL
                                    .withDescription("no response")
                                    .asRuntimeException());
                        } else {
                            result.complete(response);
                        }
                    }
                },
                loop);
        call.send(request);
        call.halfClose();
        return result;
    }
}
