package io.etcdj.server.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * go-grpc-prometheus's server metrics, which etcd exports: grpc_server_started_total,
 * grpc_server_handled_total (by gRPC code, named as Go names them), grpc_server_msg_received_total,
 * grpc_server_msg_sent_total, each labelled grpc_type/grpc_service/grpc_method; with --metrics=extensive also
 * grpc_server_handling_seconds.
 *
 * <p>Cost per call: a wrapper of the call and its end flag (plus a listener wrapper for client-streaming calls, whose
 * received messages and cancellation are counted as they come) and counter increments; a method's counters are made on its first call and looked up by
 * method descriptor after.
 */
public final class GrpcMetrics implements ServerInterceptor {
    private final MeterRegistry registry;
    private final boolean extensive;
    private final ConcurrentHashMap<MethodDescriptor<?, ?>, MethodMeters> meters = new ConcurrentHashMap<>();

    public GrpcMetrics(MeterRegistry registry, boolean extensive) {
        this.registry = registry;
        this.extensive = extensive;
    }

    /** The meters of one method; all created together on its first call. Immutable. */
    private static final class MethodMeters {
        final Counter started;
        final Counter received;
        final Counter sent;
        final Counter[] handled = new Counter[Status.Code.values().length];
        final Timer handling;

        MethodMeters(MeterRegistry r, MethodDescriptor<?, ?> m, boolean extensive) {
            String type = type(m.getType());
            String service = m.getServiceName();
            String method = m.getBareMethodName();
            started = Counter.builder("grpc_server_started")
                    .description("Total number of RPCs started on the server.")
                    .tags("grpc_type", type, "grpc_service", service, "grpc_method", method)
                    .register(r);
            received = Counter.builder("grpc_server_msg_received")
                    .description("Total number of RPC stream messages received on the server.")
                    .tags("grpc_type", type, "grpc_service", service, "grpc_method", method)
                    .register(r);
            sent = Counter.builder("grpc_server_msg_sent")
                    .description("Total number of gRPC stream messages sent by the server.")
                    .tags("grpc_type", type, "grpc_service", service, "grpc_method", method)
                    .register(r);
            for (Status.Code c : Status.Code.values()) {
                handled[c.ordinal()] = Counter.builder("grpc_server_handled")
                        .description("Total number of RPCs completed on the server, regardless of success or failure.")
                        .tags("grpc_type", type, "grpc_service", service, "grpc_method", method, "grpc_code", goName(c))
                        .register(r);
            }
            handling = !extensive
                    ? null
                    : DiskMetrics.histogramIn(
                            r,
                            "grpc_server_handling",
                            "Histogram of response latency (seconds) of gRPC that had been application-level handled by"
                                    + " the server.",
                            "grpc_type",
                            type,
                            "grpc_service",
                            service,
                            "grpc_method",
                            method);
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> md = call.getMethodDescriptor();
        MethodMeters m = meters.get(md);
        if (m == null) {
            m = meters.computeIfAbsent(md, d -> new MethodMeters(registry, d, extensive));
        }
        m.started.increment();
        MeteredCall<Q, R> metered = new MeteredCall<>(call, m);
        ServerCall.Listener<Q> listener = next.startCall(metered, headers);
        if (md.getType().clientSendsOneMessage()) {
            m.received.increment();
            return listener;
        }
        // streams: count each message received, and a client that goes away as Canceled (as Go's server reports it)
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                metered.meters.received.increment();
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                metered.handled(Status.Code.CANCELLED);
                super.onCancel();
            }
        };
    }

    /** The call as the service sees it: counts what it sends and how it ends. */
    private static final class MeteredCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        final MethodMeters meters;
        private final long startNanos;
        /** Set by the first of close and cancel: a call is counted as handled once. */
        private final AtomicBoolean ended = new AtomicBoolean();

        MeteredCall(ServerCall<Q, R> call, MethodMeters meters) {
            super(call);
            this.meters = meters;
            this.startNanos = meters.handling != null ? System.nanoTime() : 0;
        }

        void handled(Status.Code code) {
            if (ended.compareAndSet(false, true)) {
                meters.handled[code.ordinal()].increment();
                if (meters.handling != null) {
                    meters.handling.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                }
            }
        }

        @Override
        public void sendMessage(R message) {
            meters.sent.increment();
            super.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            handled(status.getCode());
            super.close(status, trailers);
        }
    }

    private static String type(MethodDescriptor.MethodType t) {
        return switch (t) {
            case UNARY -> "unary";
            case CLIENT_STREAMING -> "client_stream";
            case SERVER_STREAMING -> "server_stream";
            case BIDI_STREAMING, UNKNOWN -> "bidi_stream";
        };
    }

    /** The code as Go's grpc names it ("Canceled", "InvalidArgument"). */
    static String goName(Status.Code c) {
        if (c == Status.Code.CANCELLED) {
            return "Canceled";
        }
        if (c == Status.Code.OK) {
            return "OK";
        }
        StringBuilder b = new StringBuilder();
        for (String part : c.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
