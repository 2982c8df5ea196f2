package io.etcdj.server.rpc;

import io.etcdj.api.etcdserverpb.WatchCancelRequest;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchProgressRequest;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One watch stream as a test client sees it: sends requests, keeps every response in arrival order, and waits for
 * a response with a deadline. A "slow" client takes responses only when told to ({@link #take}), so the server's
 * buffers fill up.
 */
public final class WatchClient implements AutoCloseable {
    private final StreamObserver<WatchRequest> requests;
    /** Guarded by this. */
    private final List<WatchResponse> responses = new ArrayList<>();
    /** Guarded by this. */
    private Throwable error;
    /** Written once by the gRPC thread before any response. */
    private volatile ClientCallStreamObserver<WatchRequest> call;

    private final boolean slow;

    public WatchClient(WatchGrpc.WatchStub stub, boolean slow) {
        this.slow = slow;
        requests = stub.watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> c) {
                call = c;
                if (slow) {
                    c.disableAutoRequestWithInitial(1);
                }
            }

            @Override
            public void onNext(WatchResponse r) {
                synchronized (WatchClient.this) {
                    responses.add(r);
                    WatchClient.this.notifyAll();
                }
            }

            @Override
            public void onError(Throwable t) {
                synchronized (WatchClient.this) {
                    error = t;
                    WatchClient.this.notifyAll();
                }
            }

            @Override
            public void onCompleted() {}
        });
    }

    /** A slow client takes {@code n} more responses. */
    public void take(int n) {
        call.request(n);
    }

    public synchronized void send(WatchRequest r) {
        requests.onNext(r);
    }

    public void create(WatchCreateRequest r) {
        send(WatchRequest.newBuilder().setCreateRequest(r).build());
    }

    public void cancel(long watchId) {
        send(WatchRequest.newBuilder()
                .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId))
                .build());
    }

    public void requestProgress() {
        send(WatchRequest.newBuilder()
                .setProgressRequest(WatchProgressRequest.getDefaultInstance())
                .build());
    }

    public synchronized List<WatchResponse> responses() {
        return List.copyOf(responses);
    }

    /**
     * Waits for the first response at or after {@code from} (an index in arrival order) that matches; a slow client
     * takes a few more responses each time it finds none.
     */
    public synchronized WatchResponse await(int from, Predicate<WatchResponse> matches, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = from;
        while (true) {
            for (; seen < responses.size(); seen++) {
                if (matches.test(responses.get(seen))) {
                    return responses.get(seen);
                }
            }
            if (error != null) {
                throw new AssertionError("watch stream failed", error);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching watch response within " + timeout + "; got " + responses);
            }
            if (slow) {
                call.request(8);
            }
            wait(Math.max(1, Math.min(left / 1_000_000, slow ? 10 : Long.MAX_VALUE)));
        }
    }

    public WatchResponse await(Predicate<WatchResponse> matches) throws InterruptedException {
        return await(0, matches, Duration.ofSeconds(20));
    }

    public synchronized int size() {
        return responses.size();
    }

    @Override
    public void close() {
        call.cancel("test done", null);
    }
}
