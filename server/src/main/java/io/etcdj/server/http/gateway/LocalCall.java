package io.etcdj.server.http.gateway;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One call of a gRPC method made inside this process, without a network hop: the JSON gateway and the health checks
 * call the same service code (and interceptors) that gRPC clients reach. The method sees an ordinary
 * {@link ServerCall}; what it sends goes to a {@link Sink}.
 *
 * <p>Threads: every listener callback runs on {@code loop}, one at a time (gRPC's contract for listeners).
 * {@link #request}, {@link #sendMessage} and {@link #close} may be called by the service from any thread.
 * The fields below the line are confined to {@code loop}.
 *
 * <p>Rejected alternative: a loopback gRPC channel to our own port (what etcd's gateway does) costs a connection,
 * TLS set-up when the port is https, and a protobuf encode/decode per message.
 */
public final class LocalCall<Q, R> extends ServerCall<Q, R> {
    /** Where the method's responses go. Called from whatever thread the service answers on. */
    public interface Sink<R> {
        void onMessage(R response);

        /** The call ended: OK, or the error the method failed with. Called once. */
        void onClose(Status status);

        /** Whether the receiver takes more responses now; when it becomes ready again it calls {@link #ready}. */
        default boolean isReady() {
            return true;
        }
    }

    private final MethodDescriptor<Q, R> method;
    private final Sink<R> sink;
    private final Executor loop;
    private volatile boolean cancelled;
    private volatile boolean closed;
    // ---- confined to loop
    private Listener<Q> listener;
    private final ArrayDeque<Q> pending = new ArrayDeque<>();
    private int requested;
    private boolean halfClosed;
    private boolean halfCloseDelivered;

    private LocalCall(MethodDescriptor<Q, R> method, Sink<R> sink, Executor loop) {
        this.method = method;
        this.sink = sink;
        this.loop = loop;
    }

    /** Starts a call of {@code def} with request metadata {@code headers}; its callbacks run on {@code loop}. */
    public static <Q, R> LocalCall<Q, R> start(
            ServerMethodDefinition<Q, R> def, Metadata headers, Sink<R> sink, Executor loop) {
        LocalCall<Q, R> call = new LocalCall<>(def.getMethodDescriptor(), sink, loop);
        loop.execute(() -> call.guard(() -> {
            call.listener = def.getServerCallHandler().startCall(call, headers);
            call.listener.onReady();
        }));
        return call;
    }

    /** Hands the method its next request message (delivered once the method asks for it). */
    public void send(Q request) {
        loop.execute(() -> {
            pending.add(request);
            drain();
        });
    }

    /** The caller sends no more requests. */
    public void halfClose() {
        loop.execute(() -> {
            halfClosed = true;
            drain();
        });
    }

    /** The caller went away: the method's cancel handlers run. */
    public void cancel() {
        loop.execute(() -> {
            if (!closed && !cancelled && listener != null) {
                cancelled = true;
                guard(listener::onCancel);
            }
        });
    }

    /** The sink takes responses again. */
    public void ready() {
        loop.execute(() -> {
            if (!closed && listener != null) {
                guard(listener::onReady);
            }
        });
    }

    private void drain() {
        if (listener == null || closed || cancelled) {
            return;
        }
        while (requested > 0 && !pending.isEmpty()) {
            requested--;
            Q next = pending.poll();
            guard(() -> listener.onMessage(next));
        }
        if (halfClosed && pending.isEmpty() && !halfCloseDelivered) {
            halfCloseDelivered = true;
            guard(listener::onHalfClose);
        }
    }

    /** Runs a listener callback; a method that throws ends its call with UNKNOWN, as a gRPC server does. */
    private void guard(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            close(Status.UNKNOWN.withDescription(e.getMessage()).withCause(e), new Metadata());
        }
    }

    @Override
    public void request(int numMessages) {
        loop.execute(() -> {
            requested += numMessages;
            drain();
        });
    }

    @Override
    public void sendHeaders(Metadata headers) {
        // HTTP headers are the gateway's
    }

    @Override
    public void sendMessage(R message) {
        if (!closed) {
            sink.onMessage(message);
        }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        if (closed) {
            return;
        }
        closed = true;
        sink.onClose(status);
        loop.execute(() -> {
            if (listener != null && !cancelled) {
                listener.onComplete();
            }
        });
    }

    @Override
    public boolean isReady() {
        return !closed && sink.isReady();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
        return method;
    }
}
