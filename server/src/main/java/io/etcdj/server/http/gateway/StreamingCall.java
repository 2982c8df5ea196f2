package io.etcdj.server.http.gateway;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.util.List;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A streaming method over the gateway, as grpc-gateway serves it: each JSON object in the request body is one
 * request; each response is written as {"result": ...} and a newline, flushed at once; an error ends the stream
 * with {"error": {...}}. The client going away cancels the call.
 *
 * <p>Flow control: at most {@link #UNCONSUMED_LIMIT} responses are written ahead of what the connection has taken;
 * then the method sees the call as not ready until they are consumed.
 */
final class StreamingCall<Q, R> implements LocalCall.Sink<R> {
    static final int UNCONSUMED_LIMIT = 16;
    private static final int MAX_REQUEST_OBJECT_BYTES = 2 * 1024 * 1024;

    private final HttpResponseWriter out = HttpResponse.streaming();
    private final ServiceRequestContext ctx;
    private final CallSlots slots;
    /** Set once the HTTP response ended (closed by us or aborted by the client). */
    private volatile boolean gone;
    /** Written once, on the request's event loop, before the call starts; null until then. */
    private volatile LocalCall<Q, R> call;
    /** Guarded by this. */
    private boolean headersSent;
    /** Guarded by this: responses written since the last wait for the connection to catch up. */
    private int sinceCaughtUp;

    private volatile boolean waiting;

    private StreamingCall(ServiceRequestContext ctx, CallSlots slots) {
        this.ctx = ctx;
        this.slots = slots;
    }

    /**
     * Starts the call once {@code slots} has room. The slot is held until the HTTP response ends; begin and end both
     * run on the request's event loop, so exactly one of them gives the slot back however they interleave.
     */
    static <Q, R> HttpResponse serve(
            ServiceRequestContext ctx,
            HttpRequest req,
            ServerMethodDefinition<Q, R> method,
            Metadata headers,
            CallSlots slots) {
        StreamingCall<Q, R> s = new StreamingCall<>(ctx, slots);
        Runnable start = () -> ctx.eventLoop().execute(() -> s.begin(req, method, headers));
        s.out.whenComplete().handle((v, err) -> {
            s.gone = true;
            if (!slots.cancel(start)) {
                ctx.eventLoop().execute(() -> {
                    if (s.call != null) {
                        s.call.cancel(); // nothing when the call already ended
                        slots.release();
                    } // else begin is queued behind us: it sees gone and releases
                });
            }
            return null;
        });
        slots.acquire(start);
        return s.out;
    }

    private void begin(HttpRequest req, ServerMethodDefinition<Q, R> method, Metadata headers) {
        if (gone) {
            slots.release();
            req.abort();
            return;
        }
        call = LocalCall.start(method, headers, this, ctx.eventLoop());
        req.subscribe(new BodyReader<>(method, call, this), ctx.eventLoop());
    }

    @Override
    public synchronized void onMessage(R response) {
        sendHeaders(HttpStatus.OK);
        out.tryWrite(HttpData.ofUtf8("{\"result\":" + GatewayJson.print((Message) response) + "}\n"));
        if (++sinceCaughtUp >= UNCONSUMED_LIMIT) {
            sinceCaughtUp = 0;
            waiting = true;
            LocalCall<Q, R> c = call;
            out.whenConsumed().thenRun(() -> {
                waiting = false;
                c.ready();
            });
        }
    }

    @Override
    public synchronized void onClose(Status status) {
        if (!status.isOk()) {
            sendHeaders(GatewayJson.httpStatus(status));
            out.tryWrite(HttpData.ofUtf8(GatewayJson.streamError(status)));
        } else {
            sendHeaders(HttpStatus.OK);
        }
        out.close();
    }

    @Override
    public boolean isReady() {
        return !waiting;
    }

    private void sendHeaders(HttpStatus status) {
        if (!headersSent) {
            headersSent = true;
            out.tryWrite(ResponseHeaders.of(status, HttpHeaderNames.CONTENT_TYPE, MediaType.JSON));
        }
    }

    /** Feeds the request body, one JSON object per request, to the call. Runs on the request's event loop. */
    private static final class BodyReader<Q, R> implements Subscriber<HttpObject> {
        private final ServerMethodDefinition<Q, R> method;
        private final LocalCall<Q, R> call;
        private final StreamingCall<Q, R> stream;
        private final JsonObjectSplitter splitter = new JsonObjectSplitter(MAX_REQUEST_OBJECT_BYTES);
        private Subscription subscription;
        private boolean failed;

        BodyReader(ServerMethodDefinition<Q, R> method, LocalCall<Q, R> call, StreamingCall<Q, R> stream) {
            this.method = method;
            this.call = call;
            this.stream = stream;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE); // the body is bounded by the server's request length limit
        }

        @Override
        public void onNext(HttpObject o) {
            if (failed || !(o instanceof HttpData data)) {
                return;
            }
            try {
                List<String> objects = splitter.feed(data.array());
                for (String json : objects) {
                    call.send(JsonGateway.parse(method, json));
                }
            } catch (IllegalArgumentException e) {
                fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
            } catch (io.grpc.StatusRuntimeException e) {
                fail(e.getStatus());
            }
        }

        private void fail(Status status) {
            failed = true;
            subscription.cancel();
            call.cancel();
            stream.onClose(status);
        }

        @Override
        public void onError(Throwable t) {
            call.cancel();
        }

        @Override
        public void onComplete() {
            if (!failed) {
                call.halfClose();
            }
        }
    }
}
