package io.etcdj.server.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.stream.SubscriptionOption;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A streaming response whose data, written by its producer in one go, leaves in one write.
 *
 * <p>Why: Armeria writes a response one object at a time, asks for the next only once the previous write has
 * completed, and flushes after each. A watch stream that produces 25 messages at once (one revision's events for 25
 * watchers) thus cost 25 HTTP/2 frames, 25 flushes and 25 {@code writev} calls. This operator takes objects ahead
 * from the producer, and when the server asks for the next object it hands over every data chunk waiting here joined
 * into one (up to {@link #MAX_JOIN_BYTES}); headers and trailers pass as they are. A gRPC stream is a byte stream of
 * length-prefixed messages, so joined chunks decode as before.
 *
 * <p>Batching: handing over is deferred to the next event-loop task, so whatever the producer writes within one task
 * (a watch stream's drain turn) is joined. Bound: the producer is asked for {@link #CHUNK} more objects at a time, and
 * only while less than {@link #MAX_JOIN_BYTES} and fewer than {@link #MAX_WAITING} objects wait here, so a client that stops reading holds at most that plus one
 * chunk here, and the producer then sees the stream as not ready (gRPC's isReady), as it did without this operator.
 *
 * <p>Threads: every field is touched on the response's event loop only; calls from elsewhere hop onto it.
 */
public final class CoalescedStream implements Publisher<HttpObject>, Subscriber<HttpObject>, Subscription {
    /** Objects asked of the producer at a time. */
    static final int CHUNK = 16;
    /** Objects held here at most before the producer is asked for more (data is bounded by bytes as well). */
    static final int MAX_WAITING = 256;
    /** Largest joined data chunk; Netty splits it into HTTP/2 frames but writes it with one flush. */
    static final int MAX_JOIN_BYTES = 256 * 1024;

    private final HttpResponse source;
    private final EventExecutor loop;
    private final ByteBufAllocator alloc;

    private Subscription upstream;
    private Subscriber<? super HttpObject> downstream;
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    /** Bytes of the data chunks in {@link #waiting}. */
    private long waitingBytes;
    /** Objects the server asked for and has not been given. */
    private long demand;
    /** Objects asked of the producer and not received yet. */
    private int requested;

    private boolean emitScheduled;
    /** Inside {@link #askProducer}: a producer answering at once does not recurse into it. */
    private boolean asking;

    private boolean sourceDone;
    private Throwable sourceFailure;
    private boolean finished;
    private boolean cancelled;

    private CoalescedStream(HttpResponse source, EventExecutor loop, ByteBufAllocator alloc) {
        this.source = source;
        this.loop = loop;
        this.alloc = alloc;
    }

    /** {@code response}, its data joined per event-loop turn. */
    public static HttpResponse of(HttpResponse response, ServiceRequestContext ctx) {
        return of(response, ctx.eventLoop(), ctx.alloc());
    }

    /** {@code response}, its data joined per turn of {@code loop}. */
    static HttpResponse of(HttpResponse response, EventExecutor loop, ByteBufAllocator alloc) {
        return HttpResponse.of(new CoalescedStream(response, loop, alloc));
    }

    @Override
    public void subscribe(Subscriber<? super HttpObject> s) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> subscribe(s));
            return;
        }
        if (downstream != null) {
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IllegalStateException("a response stream takes one subscriber"));
            return;
        }
        downstream = s;
        s.onSubscribe(this);
        source.subscribe(this, loop, SubscriptionOption.WITH_POOLED_OBJECTS);
    }

    // --- from the producer ---

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        if (cancelled) {
            s.cancel();
            return;
        }
        askProducer();
    }

    @Override
    public void onNext(HttpObject o) {
        requested--;
        if (cancelled) {
            release(o);
            return;
        }
        waiting.add(o);
        if (o instanceof HttpData d) {
            waitingBytes += d.length();
        }
        scheduleEmit();
        if (requested == 0) {
            askProducer();
        }
    }

    @Override
    public void onError(Throwable t) {
        sourceDone = true;
        sourceFailure = t;
        scheduleEmit();
    }

    @Override
    public void onComplete() {
        sourceDone = true;
        scheduleEmit();
    }

    // --- from the server ---

    @Override
    public void request(long n) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> request(n));
            return;
        }
        if (n <= 0) {
            cancel();
            downstream.onError(new IllegalArgumentException("request(" + n + "): must be positive (rule 3.9)"));
            return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        scheduleEmit();
    }

    @Override
    public void cancel() {
        if (!loop.inEventLoop()) {
            loop.execute(this::cancel);
            return;
        }
        if (cancelled) {
            return;
        }
        cancelled = true;
        waiting.forEach(CoalescedStream::release);
        waiting.clear();
        waitingBytes = 0;
        if (upstream != null) {
            upstream.cancel();
        }
    }

    private void scheduleEmit() {
        if (!emitScheduled && !cancelled) {
            emitScheduled = true;
            loop.execute(this::emit);
        }
    }

    private void emit() {
        emitScheduled = false;
        while (demand > 0 && !waiting.isEmpty() && !cancelled) {
            demand--;
            downstream.onNext(next());
        }
        if (waiting.isEmpty() && sourceDone && !finished && !cancelled) {
            finished = true;
            if (sourceFailure != null) {
                downstream.onError(sourceFailure);
            } else {
                downstream.onComplete();
            }
            return;
        }
        askProducer();
    }

    /** Asks the producer for chunks while none is on its way and there is room here. */
    private void askProducer() {
        if (asking || upstream == null) {
            return;
        }
        asking = true;
        try {
            while (!sourceDone
                    && !cancelled
                    && requested == 0
                    && waitingBytes < MAX_JOIN_BYTES
                    && waiting.size() < MAX_WAITING) {
                requested = CHUNK;
                upstream.request(CHUNK); // a producer with objects ready delivers them inside this call
            }
        } finally {
            asking = false;
        }
    }

    /** The next object to hand over: consecutive data chunks joined, anything else alone. */
    private HttpObject next() {
        HttpObject head = waiting.poll();
        if (head instanceof HttpData d) {
            waitingBytes -= d.length();
        }
        if (!(head instanceof HttpData first) || first.isEndOfStream() || !(waiting.peek() instanceof HttpData)) {
            return head;
        }
        int count = 0;
        long bytes = first.length();
        for (HttpObject o : waiting) {
            if (!(o instanceof HttpData d) || bytes + d.length() > MAX_JOIN_BYTES) {
                break;
            }
            bytes += d.length();
            count++;
            if (d.isEndOfStream()) {
                break;
            }
        }
        if (count == 0) {
            return head;
        }
        ByteBuf joined = alloc.buffer((int) bytes);
        boolean endOfStream = append(joined, first);
        for (int i = 0; i < count; i++) {
            HttpData d = (HttpData) waiting.poll();
            waitingBytes -= d.length();
            endOfStream = append(joined, d);
        }
        return HttpData.wrap(joined).withEndOfStream(endOfStream);
    }

    /** Copies {@code d} into {@code into} and releases it; returns whether it ended the stream. */
    private static boolean append(ByteBuf into, HttpData d) {
        try {
            ByteBuf b = d.byteBuf();
            into.writeBytes(b, b.readerIndex(), b.readableBytes());
            return d.isEndOfStream();
        } finally {
            d.close();
        }
    }

    private static void release(HttpObject o) {
        if (o instanceof HttpData d) {
            d.close();
        }
    }
}
