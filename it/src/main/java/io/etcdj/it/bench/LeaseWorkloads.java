package io.etcdj.it.bench;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lease workloads of the {@link LoadGenerator}, run on demand (they are not part of CI):
 * <ul>
 *   <li>{@code keepaliveN}: keep-alive round trips per second over N LeaseKeepAlive streams, each a closed loop
 *   (send one request, wait for its answer, send the next) renewing its own lease;</li>
 *   <li>{@code revokeN}: N leases, each with one key, granted so that they all expire in the same second; reports
 *   how long the server takes to revoke them all (from the start of that second until no key is left, polled every
 *   50 ms), while one client keeps
 *   writing: the table's latencies are that client's puts during the revocation, and the note compares them with
 *   its p99 in the seconds before.</li>
 * </ul>
 */
final class LeaseWorkloads {
    private static final long CALL_DEADLINE_SECONDS = 10;
    private static final int GRANTS_IN_FLIGHT = 256;
    private static final long EXPIRY_MARGIN_MS = 5_000;
    private static final long BASELINE_MS = 5_000;

    private LeaseWorkloads() {}

    /** Keep-alive round trips over {@code streams} streams, each renewing its own lease, for {@code seconds}. */
    static LoadGenerator.Result keepAlive(
            String label, LoadGenerator.Workload w, List<ManagedChannel> channels, LoadGenerator.Options options)
            throws InterruptedException {
        int streams = w.clients();
        LeaseGrpc.LeaseBlockingStub grants = LeaseGrpc.newBlockingStub(channels.get(0));
        long[] leases = new long[streams];
        for (int i = 0; i < streams; i++) {
            leases[i] = grants.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(600).build())
                    .getID();
        }
        try {
            if (options.warmupSeconds() > 0) {
                keepAlivePhase(leases, channels, options.warmupSeconds(), options.maxRequests());
            }
            long startNs = System.nanoTime();
            KeepAlivePhase measured =
                    keepAlivePhase(leases, channels, options.durationSeconds(), options.maxRequests());
            long[] sorted = LatencyRecorder.merge(measured.recorders());
            return LoadGenerator.Result.of(label, w, sorted, measured.errors(), (measured.endNs() - startNs) / 1e9, "");
        } finally {
            for (long id : leases) {
                try {
                    grants.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                            .leaseRevoke(
                                    LeaseRevokeRequest.newBuilder().setID(id).build());
                } catch (StatusRuntimeException e) {
                    // best effort: the server is stopped after the run anyway
                }
            }
        }
    }

    private record KeepAlivePhase(List<LatencyRecorder> recorders, long errors, long endNs) {}

    private static KeepAlivePhase keepAlivePhase(
            long[] leases, List<ManagedChannel> channels, int seconds, int maxRequests) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(leases.length);
        List<LatencyRecorder> recorders = new ArrayList<>();
        int perStreamCap = Math.max(1, maxRequests / leases.length);
        for (int s = 0; s < leases.length; s++) {
            LatencyRecorder recorder = new LatencyRecorder(perStreamCap);
            recorders.add(recorder);
            LeaseKeepAliveRequest request =
                    LeaseKeepAliveRequest.newBuilder().setID(leases[s]).build();
            ClosedLoop loop = new ClosedLoop(request, recorder, deadlineNs, issued, maxRequests, errors, finished);
            loop.requests = LeaseGrpc.newStub(channels.get(s % channels.size())).leaseKeepAlive(loop);
            loop.send();
        }
        if (!finished.await(seconds + 30L, TimeUnit.SECONDS)) {
            System.err.println("keep-alive streams did not finish in time");
        }
        return new KeepAlivePhase(recorders, errors.get(), System.nanoTime());
    }

    /**
     * One keep-alive stream driven as a closed loop. gRPC calls a stream's observer methods one at a time, and only
     * one request is outstanding, so the fields need no lock.
     */
    private static final class ClosedLoop implements StreamObserver<LeaseKeepAliveResponse> {
        private final LeaseKeepAliveRequest request;
        private final LatencyRecorder recorder;
        private final long deadlineNs;
        private final AtomicLong issued;
        private final int maxRequests;
        private final AtomicLong errors;
        private final CountDownLatch finished;
        private StreamObserver<LeaseKeepAliveRequest> requests;
        private long sentNs;
        private boolean done;

        ClosedLoop(
                LeaseKeepAliveRequest request,
                LatencyRecorder recorder,
                long deadlineNs,
                AtomicLong issued,
                int maxRequests,
                AtomicLong errors,
                CountDownLatch finished) {
            this.request = request;
            this.recorder = recorder;
            this.deadlineNs = deadlineNs;
            this.issued = issued;
            this.maxRequests = maxRequests;
            this.errors = errors;
            this.finished = finished;
        }

        void send() {
            sentNs = System.nanoTime();
            requests.onNext(request);
        }

        @Override
        public void onNext(LeaseKeepAliveResponse r) {
            long now = System.nanoTime();
            boolean kept = r.getTTL() > 0 && recorder.record(now - sentNs);
            if (r.getTTL() <= 0) {
                errors.incrementAndGet();
            }
            if (kept && now < deadlineNs && issued.incrementAndGet() <= maxRequests) {
                send();
            } else {
                finish();
                requests.onCompleted();
            }
        }

        @Override
        public void onError(Throwable t) {
            if (errors.incrementAndGet() == 1) {
                System.err.println("first keep-alive error: " + t);
            }
            finish();
        }

        @Override
        public void onCompleted() {
            finish();
        }

        private void finish() {
            if (!done) {
                done = true;
                finished.countDown();
            }
        }
    }

    /**
     * {@code leases} leases with one key each, all expiring in the same second; the time until the server has
     * revoked them all, and the write latency of one client meanwhile.
     */
    static LoadGenerator.Result revokeStorm(
            String label, LoadGenerator.Workload w, List<ManagedChannel> channels, LoadGenerator.Options options)
            throws InterruptedException {
        int count = w.clients();
        ByteString value = ByteString.copyFromUtf8("registered");
        String prefix = "bench/lease/";
        // every lease is granted with the whole seconds left until one instant, so all expire within that second
        long setupStartNs = System.nanoTime();
        long expireAtNs = setupStartNs + TimeUnit.SECONDS.toNanos(options.revokeSetupSeconds());
        long errors = grantWithKeys(channels, count, expireAtNs, prefix, value);
        long setupDoneNs = System.nanoTime();
        System.err.printf(
                Locale.ROOT,
                "%s: granted %d leases with a key each in %.1f s (%d errors)%n",
                label,
                count,
                (setupDoneNs - setupStartNs) / 1e9,
                errors);
        if (setupDoneNs > expireAtNs - TimeUnit.MILLISECONDS.toNanos(EXPIRY_MARGIN_MS)) {
            throw new IllegalStateException("granting took too long for the leases to expire together: raise"
                    + " --revoke-setup-seconds (now " + options.revokeSetupSeconds() + ")");
        }
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(0));
        // the writer runs from the baseline window until every key is gone
        TimedWriter writer = new TimedWriter(
                KVGrpc.newBlockingStub(channels.get(channels.size() - 1)),
                options.maxRequests(),
                CALL_DEADLINE_SECONDS);
        Thread writerThread = Thread.ofPlatform().name("bench-revoke-writer").start(writer);
        long baselineStartNs = expireAtNs - TimeUnit.MILLISECONDS.toNanos(BASELINE_MS);
        long goneAtNs = 0;
        try {
            while (System.nanoTime() < expireAtNs + TimeUnit.SECONDS.toNanos(600)) {
                long left = kv.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8(prefix))
                                .setRangeEnd(ByteString.copyFromUtf8("bench/lease0"))
                                .setCountOnly(true)
                                .build())
                        .getCount();
                if (left == 0 && System.nanoTime() >= expireAtNs) {
                    goneAtNs = System.nanoTime();
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } finally {
            writer.stop();
            writerThread.join();
        }
        if (goneAtNs == 0) {
            throw new IllegalStateException("the leases were not all revoked within 600 s of expiring");
        }
        // expiry is decided with 1 s granularity (TTLs are whole seconds): count from the start of that second
        long expirySecondStartNs = expireAtNs - TimeUnit.SECONDS.toNanos(1);
        long[] during = writer.latenciesBetween(expirySecondStartNs, goneAtNs);
        long[] before = writer.latenciesBetween(baselineStartNs, expirySecondStartNs);
        double revokeSeconds = (goneAtNs - expirySecondStartNs) / 1e9;
        String note = String.format(
                Locale.ROOT,
                "revoked %d in %.1f s (%.0f/s); write p99 before %.2f ms",
                count,
                revokeSeconds,
                count / Math.max(revokeSeconds, 1e-3),
                LatencyRecorder.percentileMs(before, 99));
        return LoadGenerator.Result.of(
                label, w, during, writer.errors() + errors, (goneAtNs - expirySecondStartNs) / 1e9, note);
    }

    private static long grantWithKeys(
            List<ManagedChannel> channels, int count, long expireAtNs, String prefix, ByteString value)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(GRANTS_IN_FLIGHT);
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            ManagedChannel ch = channels.get(i % channels.size());
            long ttlSeconds = Math.max(1, (expireAtNs - System.nanoTime()) / 1_000_000_000L);
            String key = String.format(Locale.ROOT, "%s%07d", prefix, i);
            LeaseGrpc.newStub(ch)
                    .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .leaseGrant(
                            LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build(),
                            new Unary<>(errors, inFlight, done) {
                                @Override
                                public void onNext(LeaseGrantResponse g) {
                                    KVGrpc.newStub(ch)
                                            .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                                            .put(
                                                    PutRequest.newBuilder()
                                                            .setKey(ByteString.copyFromUtf8(key))
                                                            .setValue(value)
                                                            .setLease(g.getID())
                                                            .build(),
                                                    new Unary<>(errors, inFlight, done));
                                    chained = true;
                                }
                            });
        }
        done.await();
        return errors.get();
    }

    /** A unary call's observer that releases its permit and counts down once the call (or its chain) is over. */
    private static class Unary<T> implements StreamObserver<T> {
        private final AtomicLong errors;
        private final Semaphore inFlight;
        private final CountDownLatch done;
        /** Set by a subclass that passed the permit on to a follow-up call. */
        boolean chained;

        Unary(AtomicLong errors, Semaphore inFlight, CountDownLatch done) {
            this.errors = errors;
            this.inFlight = inFlight;
            this.done = done;
        }

        @Override
        public void onNext(T value) {}

        @Override
        public void onError(Throwable t) {
            if (errors.incrementAndGet() == 1) {
                System.err.println("first setup error: " + t);
            }
            release();
        }

        @Override
        public void onCompleted() {
            if (!chained) {
                release();
            }
        }

        private void release() {
            inFlight.release();
            done.countDown();
        }
    }
}
