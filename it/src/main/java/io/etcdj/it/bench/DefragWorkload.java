package io.etcdj.it.bench;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.CompactionRequest;
import io.etcdj.api.etcdserverpb.DefragmentRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code defrag} workload of the {@link LoadGenerator} (on demand, not in CI): fills the store with
 * {@code --fill-mib} MiB of 64 KiB values over a key space a quarter that size (so three quarters are superseded
 * history), compacts at the current revision (physically), then runs one closed-loop put client: a baseline window,
 * then a Defragment call, until it returns. The table's latencies are the puts sent while the defragment ran; the
 * note says how long it took, the store size before and after, the baseline p99 and the slowest put.
 *
 * <p>etcd's defragment holds its backend's locks while it copies the live data to a new file, so every request waits
 * for it; a server that defragments in the background keeps its put latency.
 */
final class DefragWorkload {
    private static final int FILL_VALUE_BYTES = 64 * 1024;
    private static final int FILL_IN_FLIGHT = 16;
    private static final long BASELINE_MS = 5_000;
    private static final long CALL_DEADLINE_SECONDS = 10;
    /** A put or a defragment slower than this is an error: long enough for etcd's blocking defragment. */
    private static final long SLOW_DEADLINE_SECONDS = 600;

    private DefragWorkload() {}

    static LoadGenerator.Result run(
            String label, LoadGenerator.Workload w, List<ManagedChannel> channels, LoadGenerator.Options options)
            throws InterruptedException {
        ManagedChannel ch = channels.get(0);
        MaintenanceGrpc.MaintenanceBlockingStub maintenance = MaintenanceGrpc.newBlockingStub(ch);
        long fillStartNs = System.nanoTime();
        long fillErrors = fill(ch, options.fillMib());
        StatusResponse filled = status(maintenance);
        KVGrpc.newBlockingStub(ch)
                .withDeadlineAfter(SLOW_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .compact(CompactionRequest.newBuilder()
                        .setRevision(filled.getHeader().getRevision())
                        .setPhysical(true)
                        .build());
        StatusResponse before = status(maintenance);
        System.err.printf(
                Locale.ROOT,
                "%s: filled %d MiB in %.1f s (%d errors), compacted at %d; db %d MiB%n",
                label,
                options.fillMib(),
                (System.nanoTime() - fillStartNs) / 1e9,
                fillErrors,
                filled.getHeader().getRevision(),
                before.getDbSize() >> 20);

        TimedWriter writer = new TimedWriter(
                KVGrpc.newBlockingStub(channels.get(channels.size() - 1)),
                options.maxRequests(),
                SLOW_DEADLINE_SECONDS);
        long baselineStartNs = System.nanoTime();
        Thread writerThread = Thread.ofPlatform().name("bench-defrag-writer").start(writer);
        long defragStartNs;
        long defragEndNs;
        try {
            TimeUnit.MILLISECONDS.sleep(BASELINE_MS); // the writer's baseline window
            defragStartNs = System.nanoTime();
            maintenance
                    .withDeadlineAfter(SLOW_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .defragment(DefragmentRequest.getDefaultInstance());
            defragEndNs = System.nanoTime();
        } finally {
            writer.stop();
            writerThread.join();
        }
        StatusResponse after = status(maintenance);
        long[] baseline = writer.latenciesBetween(baselineStartNs, defragStartNs);
        long[] during = writer.latenciesBetween(defragStartNs, defragEndNs);
        double defragSeconds = (defragEndNs - defragStartNs) / 1e9;
        String note = String.format(
                Locale.ROOT,
                "defrag %.1f s, db %d -> %d MiB; put p50/p99 before %.2f/%.2f ms, slowest during %.0f ms",
                defragSeconds,
                before.getDbSize() >> 20,
                after.getDbSize() >> 20,
                LatencyRecorder.percentileMs(baseline, 50),
                LatencyRecorder.percentileMs(baseline, 99),
                LatencyRecorder.percentileMs(during, 100));
        return LoadGenerator.Result.of(label, w, during, writer.errors() + fillErrors, defragSeconds, note);
    }

    private static StatusResponse status(MaintenanceGrpc.MaintenanceBlockingStub maintenance) {
        return maintenance
                .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    /** Puts {@code mib} MiB of 64 KiB values, {@link #FILL_IN_FLIGHT} at a time; returns the errors. */
    private static long fill(ManagedChannel ch, int mib) throws InterruptedException {
        long puts = ((long) mib << 20) / FILL_VALUE_BYTES;
        long liveKeys = Math.max(1, puts / 4);
        byte[] bytes = new byte[FILL_VALUE_BYTES];
        new SplittableRandom(7).nextBytes(bytes); // incompressible, as most real values are to a block compressor
        ByteString value = ByteString.copyFrom(bytes);
        Semaphore inFlight = new Semaphore(FILL_IN_FLIGHT);
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> first = new AtomicReference<>();
        KVGrpc.KVStub kv = KVGrpc.newStub(ch);
        for (long i = 0; i < puts; i++) {
            inFlight.acquire();
            kv.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .put(
                            PutRequest.newBuilder()
                                    .setKey(ByteString.copyFromUtf8("bench/defrag/" + (i % liveKeys)))
                                    .setValue(value)
                                    .build(),
                            new StreamObserver<PutResponse>() {
                                @Override
                                public void onNext(PutResponse r) {}

                                @Override
                                public void onError(Throwable t) {
                                    errors.incrementAndGet();
                                    first.compareAndSet(null, t);
                                    inFlight.release();
                                }

                                @Override
                                public void onCompleted() {
                                    inFlight.release();
                                }
                            });
        }
        inFlight.acquire(FILL_IN_FLIGHT); // every put answered
        if (first.get() != null) {
            System.err.println("first fill error: " + first.get());
        }
        return errors.get();
    }
}
