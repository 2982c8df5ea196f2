package io.etcdj.it.bench;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.it.EtcdProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code bigdelete} workload of the {@link LoadGenerator} (on demand: {@code scripts/big-delete.sh}): fills the
 * store with {@code --fill-mib} MiB of 1 KiB values (Txns of 100 puts), then deletes every key in one request, as
 * {@code etcdctl del --prefix ''} does, and checks the member still answers. The row's latency is the delete's.
 */
final class BigDeleteWorkload {
    private static final int VALUE_BYTES = 1024;
    private static final int PUTS_PER_TXN = 100;
    private static final int TXNS_IN_FLIGHT = 8;
    private static final long DEADLINE_SECONDS = 600;
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

    private BigDeleteWorkload() {}

    static LoadGenerator.Result run(
            String label, LoadGenerator.Workload w, List<ManagedChannel> channels, LoadGenerator.Options options)
            throws InterruptedException {
        ManagedChannel ch = channels.get(0);
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
        long keys = ((long) options.fillMib() << 20) / VALUE_BYTES;
        long fillStartNs = System.nanoTime();
        long fillErrors = fill(KVGrpc.newStub(ch), keys);
        System.err.printf(
                Locale.ROOT,
                "%s: filled %d keys x %d B in %.1f s (%d errors)%n",
                label,
                keys,
                VALUE_BYTES,
                (System.nanoTime() - fillStartNs) / 1e9,
                fillErrors);

        long deleteStartNs = System.nanoTime();
        long deleteNs = 0;
        long deleted;
        long errors = fillErrors;
        String outcome;
        try {
            deleted = kv.deleteRange(DeleteRangeRequest.newBuilder()
                            .setKey(ZERO)
                            .setRangeEnd(ZERO)
                            .build())
                    .getDeleted();
            deleteNs = System.nanoTime() - deleteStartNs; // the row's figure: the delete alone
            long countStartNs = System.nanoTime();
            long left = KVGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder()
                            .setKey(ZERO)
                            .setRangeEnd(ZERO)
                            .setCountOnly(true)
                            .build())
                    .getCount();
            KVGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("after-delete"))
                            .setValue(ByteString.copyFromUtf8("ok"))
                            .build());
            outcome = String.format(
                    Locale.ROOT,
                    "deleted %d of %d keys, %d left (counted %.1f s), a put after it ok",
                    deleted,
                    keys,
                    left,
                    (System.nanoTime() - countStartNs) / 1e9);
        } catch (RuntimeException e) {
            errors++;
            outcome = "delete failed: " + e;
        }
        if (deleteNs == 0) {
            deleteNs = System.nanoTime() - deleteStartNs;
        }
        System.err.printf(Locale.ROOT, "%s: %s in %.1f s%n", label, outcome, deleteNs / 1e9);
        return LoadGenerator.Result.of(label, w, new long[] {deleteNs}, errors, deleteNs / 1e9, outcome);
    }

    /**
     * Stops every member (SIGTERM) and starts it again on its data: the row's latency is the time from the starts to
     * the last member ready; its note says whether the store came back with only the key written after the delete.
     */
    static LoadGenerator.Result restart(String label, List<EtcdProcess> members) throws InterruptedException {
        LoadGenerator.Workload w = new LoadGenerator.Workload("restart", LoadGenerator.Op.BIG_DELETE, 1);
        for (EtcdProcess m : members) {
            m.stop(Duration.ofSeconds(60));
        }
        long startNs = System.nanoTime();
        long errors = 0;
        String outcome;
        try {
            members.forEach(EtcdProcess::launch); // together: a cluster's members need each other to be ready
            members.forEach(EtcdProcess::awaitReady);
            long readyNs = System.nanoTime() - startNs;
            ManagedChannel ch = NettyChannelBuilder.forAddress(
                            "127.0.0.1", members.get(0).clientPort())
                    .usePlaintext()
                    .build();
            try {
                long count = KVGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder()
                                .setKey(ZERO)
                                .setRangeEnd(ZERO)
                                .setCountOnly(true)
                                .build())
                        .getCount();
                outcome = String.format(
                        Locale.ROOT, "restarted, ready in %.1f s, %d key(s) in the store", readyNs / 1e9, count);
                errors += count == 1 ? 0 : 1;
            } finally {
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            System.err.printf(Locale.ROOT, "%s: %s%n", label, outcome);
            return LoadGenerator.Result.of(label, w, new long[] {readyNs}, errors, readyNs / 1e9, outcome);
        } catch (RuntimeException e) {
            outcome = "restart failed: " + e;
            System.err.printf(Locale.ROOT, "%s: %s%n", label, outcome);
            long ns = System.nanoTime() - startNs;
            return LoadGenerator.Result.of(label, w, new long[] {ns}, 1, ns / 1e9, outcome);
        }
    }

    /** Puts {@code keys} keys of incompressible values, {@link #TXNS_IN_FLIGHT} Txns at a time; returns errors. */
    private static long fill(KVGrpc.KVStub kv, long keys) throws InterruptedException {
        byte[] bytes = new byte[VALUE_BYTES];
        new SplittableRandom(17).nextBytes(bytes);
        ByteString value = ByteString.copyFrom(bytes);
        Semaphore inFlight = new Semaphore(TXNS_IN_FLIGHT);
        AtomicLong errors = new AtomicLong();
        for (long first = 0; first < keys; first += PUTS_PER_TXN) {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            for (long i = first; i < Math.min(keys, first + PUTS_PER_TXN); i++) {
                txn.addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8(String.format(Locale.ROOT, "big/%09d", i)))
                                .setValue(value)));
            }
            inFlight.acquire();
            kv.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).txn(txn.build(), new StreamObserver<>() {
                @Override
                public void onNext(TxnResponse r) {}

                @Override
                public void onError(Throwable t) {
                    if (errors.getAndIncrement() == 0) {
                        System.err.println("first fill error: " + t);
                    }
                    inFlight.release();
                }

                @Override
                public void onCompleted() {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(TXNS_IN_FLIGHT);
        return errors.get();
    }
}
