package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17's first measurement, scaled down for CI: a member whose heap is a small fraction of its store deletes
 * every key in one request ({@code etcdctl del --prefix ''}), keeps serving, tells a watcher of the whole keyspace
 * every deletion, and restarts fine. Before bounded applies the member ran out of heap on the apply thread and never
 * became ready again. {@code scripts/big-delete.sh} runs the full-size version (1 GB) beside the real etcd.
 */
class BigDeleteTest {
    private static final int KEYS = 150_000;
    private static final int VALUE_BYTES = 1024;
    private static final int PUTS_PER_TXN = 100;
    private static final int TXNS_IN_FLIGHT = 8;
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void deletingAStoreSeveralTimesTheHeapKeepsTheMemberServingAndRestartable() throws Exception {
        // 150 MB of values under a 96 MB heap (etcdj only: the flag is the JVM's)
        EtcdProcess server = servers.start(EtcdProcess.builder(ServerKind.ETCDJ)
                .name("bigdelete")
                .env("ETCDJ_JAVA_OPTS", "-Xmx96m")
                .extraArgs("--quota-backend-bytes", Long.toString(8L << 30)));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.clientPort())
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            fill(KVGrpc.newStub(channel));
            assertEquals(KEYS, countAll(kv));

            AtomicLong deletions = new AtomicLong();
            CountDownLatch allSeen = new CountDownLatch(1);
            StreamObserver<WatchRequest> watch = watchEverything(WatchGrpc.newStub(channel), deletions, allSeen);

            long startNs = System.nanoTime();
            DeleteRangeResponse deleted = kv.withDeadlineAfter(120, TimeUnit.SECONDS)
                    .deleteRange(DeleteRangeRequest.newBuilder()
                            .setKey(ZERO)
                            .setRangeEnd(ZERO)
                            .build());
            double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf("deleted %d keys x %d B in %.1f s%n", deleted.getDeleted(), VALUE_BYTES, seconds);
            assertEquals(KEYS, deleted.getDeleted());
            assertEquals(0, countAll(kv));
            assertTrue(allSeen.await(120, TimeUnit.SECONDS), "the watcher saw " + deletions.get() + " deletions");
            assertEquals(KEYS, deletions.get());
            watch.onCompleted();

            kv.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("after"))
                            .setValue(ByteString.copyFromUtf8("delete"))
                            .build());
            assertTrue(server.isAlive(), "the member is still up");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }

        assertEquals(0, server.stop(Duration.ofSeconds(30)), "a clean stop");
        server.start().awaitReady();
        ManagedChannel again = NettyChannelBuilder.forAddress("127.0.0.1", server.clientPort())
                .usePlaintext()
                .build();
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(again);
            assertEquals(1, countAll(kv), "only the key written after the delete");
        } finally {
            again.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static long countAll(KVGrpc.KVBlockingStub kv) {
        return kv.withDeadlineAfter(60, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder()
                        .setKey(ZERO)
                        .setRangeEnd(ZERO)
                        .setCountOnly(true)
                        .build())
                .getCount();
    }

    /** Writes {@link #KEYS} keys of incompressible {@link #VALUE_BYTES}-byte values, a Txn of 100 puts at a time. */
    private static void fill(KVGrpc.KVStub kv) throws InterruptedException {
        byte[] bytes = new byte[VALUE_BYTES];
        new SplittableRandom(17).nextBytes(bytes);
        ByteString value = ByteString.copyFrom(bytes);
        Semaphore inFlight = new Semaphore(TXNS_IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int first = 0; first < KEYS && failure.get() == null; first += PUTS_PER_TXN) {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            for (int i = first; i < first + PUTS_PER_TXN; i++) {
                txn.addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8(String.format("big/%07d", i)))
                                .setValue(value)));
            }
            inFlight.acquire();
            kv.withDeadlineAfter(60, TimeUnit.SECONDS).txn(txn.build(), new StreamObserver<TxnResponse>() {
                @Override
                public void onNext(TxnResponse r) {}

                @Override
                public void onError(Throwable t) {
                    failure.compareAndSet(null, t);
                    inFlight.release();
                }

                @Override
                public void onCompleted() {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(TXNS_IN_FLIGHT);
        if (failure.get() != null) {
            throw new AssertionError("filling the store failed", failure.get());
        }
    }

    /** A watcher of every key, counting deletions; {@code allSeen} opens at {@link #KEYS} of them. */
    private static StreamObserver<WatchRequest> watchEverything(
            WatchGrpc.WatchStub watch, AtomicLong deletions, CountDownLatch allSeen) throws InterruptedException {
        CountDownLatch created = new CountDownLatch(1);
        StreamObserver<WatchRequest> requests = watch.watch(new StreamObserver<WatchResponse>() {
            @Override
            public void onNext(WatchResponse r) {
                if (r.getCreated()) {
                    created.countDown();
                }
                for (Event e : r.getEventsList()) {
                    if (e.getType() == Event.EventType.DELETE && deletions.incrementAndGet() == KEYS) {
                        allSeen.countDown();
                    }
                }
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        requests.onNext(WatchRequest.newBuilder()
                .setCreateRequest(WatchCreateRequest.newBuilder().setKey(ZERO).setRangeEnd(ZERO))
                .build());
        assertTrue(created.await(10, TimeUnit.SECONDS), "watch created");
        return requests;
    }
}
