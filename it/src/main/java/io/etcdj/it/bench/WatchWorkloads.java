package io.etcdj.it.bench;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.etcdj.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The watch benchmarks, run on demand by {@link LoadGenerator} ({@code --workloads watch-latency,watch-memory}):
 * <ul>
 *   <li>{@code watch-latency}: {@code --watchers} watchers (default 1,000) on one key prefix, {@code
 *   --watchers-per-stream} to a gRPC stream, and one writer putting at {@code --put-rate} (default 200/s). Each
 *   event's delivery latency runs from the put's acknowledgement to the event's arrival at a watcher (an event that
 *   arrives before the acknowledgement counts as 0).</li>
 *   <li>{@code watch-memory}: the server's resident memory (VmRSS) before and after {@code --idle-watchers}
 *   (default 10,000) watchers on keys nobody writes, and the difference per watcher.</li>
 *   <li>{@code watch-flood}: {@code --idle-watchers} watchers on the prefix the put workload writes, whose clients
 *   stop reading after the created responses, while 16 clients put at full speed: the put rate and latency, and
 *   the server's largest RSS (sampled every second), show whether stuck watchers slow writes or grow memory.</li>
 * </ul>
 */
final class WatchWorkloads {
    private static final String PREFIX = "bench/watch/";
    private static final long CREATE_TIMEOUT_SECONDS = 60;

    private WatchWorkloads() {}

    /** Delivery latency; the result's request count is the number of events delivered. */
    static LoadGenerator.Result latency(
            String label,
            LoadGenerator.Workload w,
            List<ManagedChannel> channels,
            LoadGenerator.Options options,
            long pid)
            throws InterruptedException {
        Map<Long, Long> ackNs = new ConcurrentHashMap<>();
        List<Arrivals> streams = new ArrayList<>();
        open(
                channels,
                options.watchers(),
                options.watchersPerStream(),
                streams,
                i -> WatchCreateRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8(PREFIX))
                        .setRangeEnd(ByteString.copyFromUtf8(rangeEnd(PREFIX)))
                        .build());
        ByteString value = ByteString.copyFrom(new byte[options.valueSizeBytes()]);
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(0));
        long periodNs = TimeUnit.SECONDS.toNanos(1) / options.putRate();
        double cpuBefore = cpuSeconds(pid);
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        long firstMeasured = Long.MAX_VALUE;
        long startNs = System.nanoTime();
        long endNs = warmupEnd + TimeUnit.SECONDS.toNanos(options.durationSeconds());
        long errors = 0;
        long lastRevision = 0;
        for (long next = startNs, i = 0; next < endNs; next += periodNs, i++) {
            LockSupport.parkNanos(next - System.nanoTime()); // open loop at the put rate
            try {
                long rev = kv.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8(PREFIX + (i % 100)))
                                .setValue(value)
                                .build())
                        .getHeader()
                        .getRevision();
                long now = System.nanoTime();
                ackNs.put(rev, now);
                lastRevision = rev;
                if (now >= warmupEnd && firstMeasured == Long.MAX_VALUE) {
                    firstMeasured = rev;
                }
            } catch (RuntimeException e) {
                errors++;
            }
        }
        long measuredFrom = firstMeasured;
        long through = lastRevision;
        for (Arrivals a : streams) {
            a.awaitRevision(through, TimeUnit.SECONDS.toNanos(30));
        }
        double cpu = cpuSeconds(pid) - cpuBefore;
        long[] sorted = collect(streams, ackNs, measuredFrom, through);
        streams.forEach(Arrivals::close);
        String note = pid <= 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        "%d watchers, %d per stream, %d puts/s: server CPU"
                                + " %.1f s over the run, RSS %d MiB at the end",
                        options.watchers(),
                        options.watchersPerStream(),
                        options.putRate(),
                        cpu,
                        rssKiB(pid) / 1024);
        return new LoadGenerator.Result(
                label,
                w,
                sorted.length,
                errors,
                options.durationSeconds(),
                LatencyRecorder.percentileMs(sorted, 50),
                LatencyRecorder.percentileMs(sorted, 90),
                LatencyRecorder.percentileMs(sorted, 99),
                note);
    }

    private static long[] collect(List<Arrivals> streams, Map<Long, Long> ackNs, long from, long through) {
        List<LatencyRecorder> recorders = new ArrayList<>();
        for (Arrivals a : streams) {
            LatencyRecorder r = new LatencyRecorder(Integer.MAX_VALUE - 8);
            a.forEach((rev, arrivedNs) -> {
                Long ack = ackNs.get(rev);
                if (ack != null && rev >= from && rev <= through) {
                    r.record(Math.max(0, arrivedNs - ack));
                }
            });
            recorders.add(r);
        }
        return LatencyRecorder.merge(recorders);
    }

    /** Resident memory with idle watchers; the latency columns are empty, the note has the figures. */
    static LoadGenerator.Result memory(
            String label,
            LoadGenerator.Workload w,
            List<ManagedChannel> channels,
            LoadGenerator.Options options,
            long pid)
            throws InterruptedException {
        if (pid <= 0) {
            return new LoadGenerator.Result(
                    label,
                    w,
                    0,
                    0,
                    1,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    "no pid: start the server from the load generator (not --endpoint)");
        }
        long before = rssKiB(pid);
        long heapBefore = jvmLiveHeapKiB(pid);
        List<Arrivals> streams = new ArrayList<>();
        long start = System.nanoTime();
        open(
                channels,
                options.idleWatchers(),
                options.watchersPerStream(),
                streams,
                i -> WatchCreateRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("bench/idle/" + i))
                        .build());
        double createSeconds = (System.nanoTime() - start) / 1e9;
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(options.warmupSeconds())); // let the server settle
        long after = rssKiB(pid);
        long heapAfter = jvmLiveHeapKiB(pid);
        streams.forEach(Arrivals::close);
        String note = String.format(
                Locale.ROOT,
                "RSS %d MiB -> %d MiB with %d idle watchers: %.0f bytes/watcher;" + " created in %.1f s",
                before / 1024,
                after / 1024,
                options.idleWatchers(),
                (after - before) * 1024.0 / options.idleWatchers(),
                createSeconds);
        if (heapBefore >= 0 && heapAfter >= 0) { // a JVM: its heap may absorb them without the RSS moving
            note += String.format(
                    Locale.ROOT,
                    "; live heap after full GC %d MiB -> %d MiB: %.0f bytes/watcher",
                    heapBefore / 1024,
                    heapAfter / 1024,
                    (heapAfter - heapBefore) * 1024.0 / options.idleWatchers());
        }
        return new LoadGenerator.Result(
                label, w, options.idleWatchers(), 0, createSeconds, Double.NaN, Double.NaN, Double.NaN, note);
    }

    /** User + system CPU time of a process so far, from /proc (0 when unknown). */
    private static double cpuSeconds(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ (100)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A JVM's heap in use right after a full GC, via jcmd; -1 when the process is no JVM (or jcmd fails). */
    private static long jvmLiveHeapKiB(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            // jcmd attaches by sending SIGQUIT, which kills a process that is not a JVM (etcd): look first
            if (!Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"))
                    .getFileName()
                    .toString()
                    .equals("java")) {
                return -1;
            }
            if (!Files.isExecutable(jcmd)
                    || !run(jcmd.toString(), "" + pid, "GC.run").contains("Command executed")) {
                return -1;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K")
                    .matcher(run(jcmd.toString(), "" + pid, "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Stuck watchers under a full-speed writer; the result is the writer's, the note has the memory. */
    static LoadGenerator.Result flood(
            String label,
            LoadGenerator.Workload w,
            List<ManagedChannel> channels,
            LoadGenerator.Options options,
            long pid)
            throws InterruptedException {
        long before = pid > 0 ? rssKiB(pid) : 0;
        List<Arrivals> streams = new ArrayList<>();
        openStuck(channels, options.idleWatchers(), options.watchersPerStream(), streams);
        long[] maxRss = {before};
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (pid > 0 && !Thread.currentThread().isInterrupted()) {
                maxRss[0] = Math.max(maxRss[0], rssKiB(pid));
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        });
        LoadGenerator.Result puts = LoadGenerator.run(label, LoadGenerator.Workload.parse("put16"), channels, options);
        sampler.interrupt();
        sampler.join();
        streams.forEach(Arrivals::close);
        String note = String.format(
                Locale.ROOT,
                "%d watchers that stopped reading, on the written prefix: RSS %d MiB"
                        + " before, at most %d MiB during the writes",
                options.idleWatchers(),
                before / 1024,
                maxRss[0] / 1024);
        return new LoadGenerator.Result(
                label,
                w,
                puts.requests(),
                puts.errors(),
                puts.elapsedSeconds(),
                puts.p50Ms(),
                puts.p90Ms(),
                puts.p99Ms(),
                note);
    }

    /** Watchers on the put workload's prefix whose streams take the created responses, then nothing more. */
    private static void openStuck(List<ManagedChannel> channels, int watchers, int perStream, List<Arrivals> out)
            throws InterruptedException {
        int streamCount = (watchers + perStream - 1) / perStream;
        CountDownLatch created = new CountDownLatch(watchers);
        for (int s = 0; s < streamCount; s++) {
            int onThis = Math.min(perStream, watchers - s * perStream);
            Arrivals a = new Arrivals(created, onThis);
            a.requests = WatchGrpc.newStub(channels.get(s % channels.size())).watch(a);
            out.add(a);
            for (int i = 0; i < onThis; i++) {
                a.requests.onNext(WatchRequest.newBuilder()
                        .setCreateRequest(WatchCreateRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8("bench/put/"))
                                .setRangeEnd(ByteString.copyFromUtf8("bench/put0")))
                        .build());
            }
        }
        if (!created.await(CREATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(created.getCount() + " of " + watchers + " watchers not created");
        }
    }

    private static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the server's memory: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    /** Opens streams round-robin over the channels and creates the watchers, waiting until all are created. */
    private static void open(
            List<ManagedChannel> channels,
            int watchers,
            int perStream,
            List<Arrivals> out,
            java.util.function.IntFunction<WatchCreateRequest> request)
            throws InterruptedException {
        int streamCount = (watchers + perStream - 1) / perStream;
        CountDownLatch created = new CountDownLatch(watchers);
        for (int s = 0; s < streamCount; s++) {
            Arrivals a = new Arrivals(created);
            a.requests = WatchGrpc.newStub(channels.get(s % channels.size())).watch(a);
            out.add(a);
        }
        for (int i = 0; i < watchers; i++) {
            Arrivals a = out.get(i / perStream);
            a.requests.onNext(
                    WatchRequest.newBuilder().setCreateRequest(request.apply(i)).build());
        }
        if (!created.await(CREATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(created.getCount() + " of " + watchers + " watchers not created");
        }
    }

    private static String rangeEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    /** One stream's received events: (revision, arrival time) pairs, appended by the gRPC thread. */
    private static final class Arrivals implements ClientResponseObserver<WatchRequest, WatchResponse> {
        private final CountDownLatch created;
        /** Written once before any create request is sent. */
        StreamObserver<WatchRequest> requests;
        /** Written once by gRPC when the call starts, before any create request is sent. */
        private volatile ClientCallStreamObserver<WatchRequest> call;
        /** Guarded by this: revision, arrival ns, revision, arrival ns, ... */
        private long[] pairs = new long[1 << 16];
        /** Guarded by this. */
        private int size;

        private final AtomicLong newestRevision = new AtomicLong();

        /** Responses this client takes before it stops reading; negative: it never stops. */
        private final int readLimit;

        Arrivals(CountDownLatch created) {
            this(created, -1);
        }

        Arrivals(CountDownLatch created, int readLimit) {
            this.created = created;
            this.readLimit = readLimit;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> c) {
            call = c;
            if (readLimit >= 0) {
                c.disableAutoRequestWithInitial(readLimit);
            }
        }

        @Override
        public void onNext(WatchResponse r) {
            long now = System.nanoTime();
            if (r.getCreated()) {
                created.countDown();
            }
            synchronized (this) {
                for (Event e : r.getEventsList()) {
                    if (size + 2 > pairs.length) {
                        pairs = java.util.Arrays.copyOf(pairs, pairs.length * 2);
                    }
                    pairs[size++] = e.getKv().getModRevision();
                    pairs[size++] = now;
                }
                if (r.getEventsCount() > 0) {
                    newestRevision.accumulateAndGet(
                            r.getEvents(r.getEventsCount() - 1).getKv().getModRevision(), Math::max);
                    notifyAll();
                }
            }
        }

        synchronized void awaitRevision(long revision, long timeoutNs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNs;
            while (newestRevision.get() < revision && System.nanoTime() < deadline) {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }

        synchronized void forEach(java.util.function.BiConsumer<Long, Long> pair) {
            for (int i = 0; i < size; i += 2) {
                pair.accept(pairs[i], pairs[i + 1]);
            }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}

        /** Cancels the call: the server drops its watchers (a half-close would leave them running, as in etcd). */
        void close() {
            call.cancel("benchmark done", null);
        }
    }
}
