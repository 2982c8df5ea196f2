package io.etcdj.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** {@link CoalescedStream}: order, joining, end of stream and the bound on what it takes ahead. */
class CoalescedStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** A producer that emits its objects as they are requested, on the loop, counting what was asked of it. */
    private final class Producer implements Publisher<HttpObject> {
        final List<HttpObject> objects;
        final AtomicLong requested = new AtomicLong();
        private int next;

        Producer(List<HttpObject> objects) {
            this.objects = objects;
        }

        @Override
        public void subscribe(Subscriber<? super HttpObject> s) {
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                    requested.addAndGet(n);
                    loop.execute(() -> {
                        for (long i = 0; i < n && next < objects.size(); i++) {
                            s.onNext(objects.get(next++));
                        }
                        if (next == objects.size()) {
                            next++;
                            s.onComplete();
                        }
                    });
                }

                @Override
                public void cancel() {}
            });
        }
    }

    /** Takes one object at a time, asking for the next as soon as it has one (as the server does once written). */
    private static final class Taker implements Subscriber<HttpObject> {
        final List<HttpObject> received = new ArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final boolean keepAsking;
        Subscription subscription;

        Taker(boolean keepAsking) {
            this.keepAsking = keepAsking;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public synchronized void onNext(HttpObject o) {
            received.add(o);
            if (keepAsking) {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        synchronized List<HttpObject> received() {
            return List.copyOf(received);
        }
    }

    @Test
    void aReaderThatStopsAskingHoldsLargeDataBackByBytes() throws Exception {
        List<HttpObject> objects = new ArrayList<>();
        objects.add(ResponseHeaders.of(HttpStatus.OK));
        byte[] big = new byte[CoalescedStream.MAX_JOIN_BYTES / 4];
        for (int i = 0; i < 100; i++) {
            objects.add(HttpData.wrap(big));
        }
        Producer producer = new Producer(objects);
        HttpResponse joined = CoalescedStream.of(HttpResponse.of(producer), loop, ByteBufAllocator.DEFAULT);
        Taker taker = new Taker(false);
        joined.subscribe(taker, loop);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (taker.received().isEmpty() && System.nanoTime() < deadline) {
            loop.submit(() -> {}).get();
        }
        for (int i = 0; i < 10; i++) {
            loop.submit(() -> {}).get();
        }
        // headers, then at most the byte bound (four chunks here) plus one request's worth taken ahead
        assertTrue(producer.requested.get() <= 1 + 4 + CoalescedStream.CHUNK, "taken ahead: " + producer.requested);
    }

    @Test
    void dataWrittenTogetherLeavesAsOneChunkBetweenHeadersAndTrailers() throws Exception {
        List<HttpObject> objects = new ArrayList<>();
        objects.add(ResponseHeaders.of(HttpStatus.OK));
        for (int i = 1; i <= 5; i++) {
            objects.add(HttpData.ofUtf8("m" + i));
        }
        objects.add(HttpHeaders.of("grpc-status", "0"));
        Producer producer = new Producer(objects);
        HttpResponse joined = CoalescedStream.of(HttpResponse.of(producer), loop, ByteBufAllocator.DEFAULT);
        Taker taker = new Taker(true);
        joined.subscribe(taker, loop);
        taker.done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        List<HttpObject> got = taker.received();
        assertEquals(3, got.size(), "headers, one joined chunk, trailers: " + got);
        assertEquals(ResponseHeaders.of(HttpStatus.OK), got.get(0));
        assertEquals("m1m2m3m4m5", ((HttpData) got.get(1)).toStringUtf8());
        assertEquals("0", ((HttpHeaders) got.get(2)).get("grpc-status"));
    }

    @Test
    void aReaderThatStopsAskingHoldsTheProducerBackAfterABoundedNumberOfObjects() throws Exception {
        List<HttpObject> objects = new ArrayList<>();
        objects.add(ResponseHeaders.of(HttpStatus.OK));
        for (int i = 0; i < 10 * CoalescedStream.MAX_WAITING; i++) {
            objects.add(HttpData.ofUtf8("x"));
        }
        Producer producer = new Producer(objects);
        HttpResponse joined = CoalescedStream.of(HttpResponse.of(producer), loop, ByteBufAllocator.DEFAULT);
        Taker taker = new Taker(false);
        joined.subscribe(taker, loop);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (taker.received().isEmpty() && System.nanoTime() < deadline) {
            loop.submit(() -> {}).get(); // let queued loop tasks run
        }
        for (int i = 0; i < 10; i++) {
            loop.submit(() -> {}).get();
        }
        assertEquals(1, taker.received().size(), "the reader asked for one object");
        assertTrue(
                producer.requested.get() <= CoalescedStream.MAX_WAITING + CoalescedStream.CHUNK,
                "taken ahead: " + producer.requested.get());

        taker.subscription.request(1); // the reader takes more: everything taken ahead comes joined
        deadline = System.nanoTime() + WAIT.toNanos();
        while (taker.received().size() < 2 && System.nanoTime() < deadline) {
            loop.submit(() -> {}).get();
        }
        assertEquals(2, taker.received().size());
        assertTrue(((HttpData) taker.received().get(1)).length() > 1, "joined chunk");
    }
}
