package io.etcdj.it.bench;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.it.EtcdProcess;
import io.etcdj.it.ServerKind;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load generator for etcd's KV API over gRPC (our {@code api} module's stubs on
 * grpc-netty). It starts each server in turn (single member, fresh data directory, loopback
 * ports), runs the same workloads against each, and prints one table:
 * server, workload, requests, errors, req/s, p50/p90/p99 latency in ms.
 *
 * <p>Workloads: {@code put1} (put, 1 client), {@code put16} (put, 16 clients) and
 * {@code range16} (linearizable range of one key, 16 clients), and the general forms putN, rangeN and srangeN
 * (serializable range); values are 256 bytes. Each
 * client is a closed loop of blocking calls. Every workload runs for a fixed time after a short
 * warm-up and stops early at a request cap; only loopback addresses are accepted. On demand, the watch
 * workloads {@code watch-latency}, {@code watch-memory} and {@code watch-flood} (see {@link WatchWorkloads}).
 *
 * <pre>
 * LoadGenerator [--servers etcd,etcdj] [--endpoint HOST:PORT[,HOST:PORT...] --label NAME]
 *               [--workloads put1,put16,range16] [--duration-seconds 10] [--warmup-seconds 2]
 *               [--max-requests 2000000] [--value-size-bytes 256] [--key-space 100000]
 *               [--connections 1] [--members 1] [--work-dir DIR] [--revoke-setup-seconds 60]
 *               [--watchers 1000] [--watchers-per-stream 100] [--put-rate 200] [--idle-watchers 10000]
 *               [--fill-mib 1024]
 * </pre>
 *
 * <p>{@code defrag} (on demand, see {@link DefragWorkload}): one writer's put latency while the server defragments
 * a store of {@code --fill-mib} MiB, three quarters of it compacted history.
 *
 * <p>Lease workloads (on demand, see {@link LeaseWorkloads}): {@code keepaliveN} (keep-alive round trips over N
 * streams) and {@code revokeN} / {@code revoke100k} (N leases expiring in the same second: time to revoke them all,
 * and one writer's put latency meanwhile; granting them must finish within {@code --revoke-setup-seconds}).
 */
public final class LoadGenerator {
    private static final long CALL_DEADLINE_SECONDS = 10;
    private static final int MAX_ERRORS_BEFORE_ABORT = 1000;

    /** One workload: the operation and the number of concurrent clients. */
    record Workload(String name, Op op, int clients) {
        static Workload parse(String name) {
            return switch (name) {
                case "put1" -> new Workload(name, Op.PUT, 1);
                case "put16" -> new Workload(name, Op.PUT, 16);
                case "range16" -> new Workload(name, Op.RANGE, 16);
                case "revoke100k" -> new Workload(name, Op.REVOKE, 100_000);
                case "watch-latency" -> new Workload(name, Op.WATCH_LATENCY, 1);
                case "watch-memory" -> new Workload(name, Op.WATCH_MEMORY, 0);
                case "watch-flood" -> new Workload(name, Op.WATCH_FLOOD, 16);
                case "defrag" -> new Workload(name, Op.DEFRAG, 1);
                case "bigdelete" -> new Workload(name, Op.BIG_DELETE, 1);
                default -> {
                    // also accept the general forms put<N> / range<N> / srange<N> / keepalive<N> / revoke<N>
                    if (name.matches("(put|range|srange|keepalive|revoke)[0-9]+")) {
                        Op op = switch (name.replaceAll("[0-9]", "")) {
                            case "put" -> Op.PUT;
                            case "range" -> Op.RANGE;
                            case "srange" -> Op.SRANGE;
                            case "keepalive" -> Op.KEEPALIVE;
                            default -> Op.REVOKE;
                        };
                        int clients = Integer.parseInt(name.replaceAll("[a-z]", ""));
                        int max = op == Op.REVOKE ? 1_000_000 : op == Op.KEEPALIVE ? 10_000 : 1024;
                        if (clients < 1 || clients > max) {
                            throw new IllegalArgumentException("N must be 1.." + max + ": " + name);
                        }
                        yield new Workload(name, op, clients);
                    }
                    throw new IllegalArgumentException("unknown workload " + name
                            + " (put1, put16, range16, putN, rangeN, srangeN, keepaliveN, revokeN, revoke100k,"
                            + " watch-latency, watch-memory, watch-flood, defrag)");
                }
            };
        }

        String describe() {
            return switch (op) {
                case PUT -> "put, " + clients + " client" + (clients > 1 ? "s" : "");
                case RANGE -> "range (linearizable, 1 key), " + clients + " client" + (clients > 1 ? "s" : "");
                case KEEPALIVE -> "lease keep-alive, " + clients + " stream" + (clients > 1 ? "s" : "");
                case REVOKE -> "put, 1 client, while " + clients + " leases expire";
                case WATCH_LATENCY -> "watch delivery (events; latency from put ack)";
                case WATCH_MEMORY -> "idle watchers (server memory)";
                case WATCH_FLOOD -> "put, 16 clients, beside stuck watchers";
                case SRANGE -> "range (serializable, 1 key), " + clients + " client" + (clients > 1 ? "s" : "");
                case DEFRAG -> "put, 1 client, during a defragment";
                case BIG_DELETE -> "delete every key in one request";
            };
        }
    }

    enum Op {
        PUT,
        RANGE,
        SRANGE,
        KEEPALIVE,
        REVOKE,
        WATCH_LATENCY,
        WATCH_MEMORY,
        WATCH_FLOOD,
        DEFRAG,
        BIG_DELETE
    }

    /** One row of the result table; {@code note} carries what the columns cannot (empty when nothing). */
    record Result(
            String server,
            Workload workload,
            long requests,
            long errors,
            double elapsedSeconds,
            double p50Ms,
            double p90Ms,
            double p99Ms,
            String note) {
        double requestsPerSecond() {
            return requests / elapsedSeconds;
        }

        /** A row from the sorted latencies of a phase. */
        static Result of(
                String server, Workload workload, long[] sortedNs, long errors, double elapsedSeconds, String note) {
            return new Result(
                    server,
                    workload,
                    sortedNs.length,
                    errors,
                    elapsedSeconds,
                    LatencyRecorder.percentileMs(sortedNs, 50),
                    LatencyRecorder.percentileMs(sortedNs, 90),
                    LatencyRecorder.percentileMs(sortedNs, 99),
                    note);
        }
    }

    /** Parsed command line. */
    record Options(
            List<ServerKind> servers,
            String endpoint,
            String label,
            List<Workload> workloads,
            int durationSeconds,
            int warmupSeconds,
            int maxRequests,
            int valueSizeBytes,
            int keySpace,
            int connections,
            int members,
            Path workDir,
            int revokeSetupSeconds,
            int watchers,
            int watchersPerStream,
            int putRate,
            int idleWatchers,
            int fillMib) {}

    private LoadGenerator() {}

    /** Entry point; see the class comment for the options. Exits 1 on a failed run, 2 on bad usage. */
    public static void main(String[] argv) throws Exception {
        Options options;
        try {
            options = parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGenerator: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Result> results = new ArrayList<>();
        if (options.endpoint() != null) {
            results.addAll(runAll(options.label(), List.of(options.endpoint().split(",")), options, 0));
        } else {
            for (ServerKind kind : options.servers()) {
                Files.createDirectories(options.workDir());
                List<EtcdProcess> members = startMembers(kind, options);
                try {
                    String label = options.members() > 1 ? kind.label() + "x" + options.members() : kind.label();
                    results.addAll(runAll(
                            label,
                            members.stream().map(EtcdProcess::clientHostPort).toList(),
                            options,
                            members.get(0).pid()));
                    if (options.workloads().stream().anyMatch(w -> w.op() == Op.BIG_DELETE)) {
                        results.add(BigDeleteWorkload.restart(label, members));
                    }
                } finally {
                    members.forEach(EtcdProcess::close);
                }
            }
        }
        System.out.print(table(results, options));
        boolean failed = results.stream().anyMatch(r -> r.errors() > 0 || r.requests() == 0);
        System.exit(failed ? 1 : 0);
    }

    /** Starts {@code --members} members of {@code kind} as one new cluster and waits until each is ready. */
    private static List<EtcdProcess> startMembers(ServerKind kind, Options options) {
        List<Integer> peerPorts = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < options.members(); i++) {
            peerPorts.add(EtcdProcess.freePort());
            entries.add("bench" + i + "=http://127.0.0.1:" + peerPorts.get(i));
        }
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < options.members(); i++) {
            EtcdProcess.Builder b = EtcdProcess.builder(kind)
                    .name("bench" + i)
                    .baseDir(options.workDir())
                    .peerPort(peerPorts.get(i))
                    .initialCluster(String.join(",", entries));
            if (options.workloads().stream().anyMatch(w -> w.op() == Op.DEFRAG || w.op() == Op.BIG_DELETE)) {
                b.extraArgs("--quota-backend-bytes", Long.toString(8L << 30)); // room for --fill-mib and history
            }
            members.add(b.build().launch());
        }
        for (EtcdProcess m : members) {
            m.awaitReady();
            System.err.printf("started %s (data in %s)%n", m, m.dataDir());
        }
        return members;
    }

    static Options parse(String[] argv) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            int eq = a.indexOf('=');
            if (eq > 0) {
                flags.put(a.substring(2, eq), a.substring(eq + 1));
            } else if (i + 1 < argv.length) {
                flags.put(a.substring(2), argv[++i]);
            } else {
                throw new IllegalArgumentException("missing value for " + a);
            }
        }
        List<String> known = List.of(
                "servers",
                "endpoint",
                "label",
                "workloads",
                "duration-seconds",
                "warmup-seconds",
                "max-requests",
                "value-size-bytes",
                "key-space",
                "connections",
                "members",
                "work-dir",
                "revoke-setup-seconds",
                "watchers",
                "watchers-per-stream",
                "put-rate",
                "idle-watchers",
                "fill-mib");
        for (String k : flags.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + " (known: " + known + ")");
            }
        }
        String endpoint = flags.get("endpoint");
        if (endpoint != null) {
            for (String e : endpoint.split(",")) {
                requireLoopback(e);
            }
        }
        List<ServerKind> servers = new ArrayList<>();
        if (flags.containsKey("servers")) {
            for (String s : flags.get("servers").split(",")) {
                servers.add(ServerKind.parse(s));
            }
        } else {
            servers.add(ServerKind.ETCD);
            try {
                ServerKind.ETCDJ.binary();
                servers.add(ServerKind.ETCDJ);
            } catch (IllegalStateException e) {
                System.err.println("LoadGenerator: skipping etcdj: " + e.getMessage());
            }
        }
        List<Workload> workloads = new ArrayList<>();
        for (String w : flags.getOrDefault("workloads", "put1,put16,range16").split(",")) {
            workloads.add(Workload.parse(w.trim()));
        }
        return new Options(
                servers,
                endpoint,
                flags.getOrDefault("label", "endpoint"),
                workloads,
                positive(flags, "duration-seconds", 10, 3600),
                nonNegative(flags, "warmup-seconds", 2, 600),
                positive(flags, "max-requests", 2_000_000, 50_000_000),
                positive(flags, "value-size-bytes", 256, 1024 * 1024),
                positive(flags, "key-space", 100_000, 100_000_000),
                positive(flags, "connections", 1, 64),
                positive(flags, "members", 1, 5),
                Path.of(flags.getOrDefault(
                        "work-dir",
                        Path.of(System.getProperty("java.io.tmpdir"), "etcdj-bench")
                                .toString())),
                positive(flags, "revoke-setup-seconds", 60, 3600),
                positive(flags, "watchers", 1_000, 100_000),
                positive(flags, "watchers-per-stream", 100, 100_000),
                positive(flags, "put-rate", 200, 100_000),
                positive(flags, "idle-watchers", 10_000, 1_000_000),
                positive(flags, "fill-mib", 1024, 64 * 1024));
    }

    private static int positive(Map<String, String> flags, String name, int dflt, int max) {
        int v = nonNegative(flags, name, dflt, max);
        if (v == 0) {
            throw new IllegalArgumentException("--" + name + " must be positive");
        }
        return v;
    }

    private static int nonNegative(Map<String, String> flags, String name, int dflt, int max) {
        String s = flags.get(name);
        int v;
        try {
            v = s == null ? dflt : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " is not a number: " + s);
        }
        if (v < 0 || v > max) {
            throw new IllegalArgumentException("--" + name + " must be in 0.." + max + ": " + v);
        }
        return v;
    }

    /** Refuses any target that is not a loopback address: load goes nowhere but this machine. */
    static void requireLoopback(String hostPort) {
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'))
                .replace("[", "")
                .replace("]", "");
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    throw new IllegalArgumentException("refusing non-loopback target " + hostPort);
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in " + hostPort);
        }
    }

    /** @param pid the server's process id, or 0 when unknown (memory is then not measured) */
    private static List<Result> runAll(String label, List<String> hostPorts, Options options, long pid)
            throws InterruptedException {
        hostPorts.forEach(LoadGenerator::requireLoopback);
        List<ManagedChannel> channels = new ArrayList<>();
        // connection i goes to member i mod N: clients spread over the members as a client library would
        for (int i = 0; i < Math.max(options.connections(), hostPorts.size()); i++) {
            String hostPort = hostPorts.get(i % hostPorts.size());
            int colon = hostPort.lastIndexOf(':');
            channels.add(NettyChannelBuilder.forAddress(
                            hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))
                    .usePlaintext()
                    .maxInboundMessageSize(16 * 1024 * 1024)
                    .build());
        }
        try {
            List<Result> results = new ArrayList<>();
            for (Workload w : options.workloads()) {
                Result r = switch (w.op()) {
                    case WATCH_LATENCY -> WatchWorkloads.latency(label, w, channels, options, pid);
                    case WATCH_MEMORY -> WatchWorkloads.memory(label, w, channels, options, pid);
                    case WATCH_FLOOD -> WatchWorkloads.flood(label, w, channels, options, pid);
                    case DEFRAG -> DefragWorkload.run(label, w, channels, options);
                    case BIG_DELETE -> BigDeleteWorkload.run(label, w, channels, options);
                    default -> run(label, w, channels, options);
                };
                System.err.printf(
                        "%s %s: %d requests, %.0f req/s, p99 %.2f ms%n",
                        label, w.name(), r.requests(), r.requestsPerSecond(), r.p99Ms());
                results.add(r);
            }
            return results;
        } finally {
            for (ManagedChannel c : channels) {
                c.shutdownNow();
                c.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs one workload: warm-up (not measured), then the measured phase; both bounded in time. */
    static Result run(String label, Workload w, List<ManagedChannel> channels, Options options)
            throws InterruptedException {
        if (w.op() == Op.KEEPALIVE) {
            return LeaseWorkloads.keepAlive(label, w, channels, options);
        }
        if (w.op() == Op.REVOKE) {
            return LeaseWorkloads.revokeStorm(label, w, channels, options);
        }
        ByteString value = randomBytes(options.valueSizeBytes(), 42);
        ByteString rangeKey = ByteString.copyFromUtf8("bench/range-key");
        if (w.op() != Op.PUT) {
            KVGrpc.newBlockingStub(channels.get(0))
                    .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .put(PutRequest.newBuilder()
                            .setKey(rangeKey)
                            .setValue(value)
                            .build());
        }
        if (options.warmupSeconds() > 0) {
            phase(w, channels, options, value, rangeKey, options.warmupSeconds(), options.maxRequests(), 1);
        }
        long startNs = System.nanoTime();
        Phase measured =
                phase(w, channels, options, value, rangeKey, options.durationSeconds(), options.maxRequests(), 2);
        double elapsedSeconds = (measured.endNs() - startNs) / 1e9;
        return Result.of(label, w, LatencyRecorder.merge(measured.recorders()), measured.errors(), elapsedSeconds, "");
    }

    private record Phase(List<LatencyRecorder> recorders, long errors, long endNs) {}

    private static Phase phase(
            Workload w,
            List<ManagedChannel> channels,
            Options options,
            ByteString value,
            ByteString rangeKey,
            int seconds,
            int maxRequests,
            int seedBase)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<LatencyRecorder> recorders = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        int perWorkerCap = Math.max(1, maxRequests / w.clients());
        for (int c = 0; c < w.clients(); c++) {
            LatencyRecorder recorder = new LatencyRecorder(perWorkerCap);
            recorders.add(recorder);
            KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(channels.get(c % channels.size()));
            SplittableRandom random = new SplittableRandom(seedBase * 1_000_003L + c);
            String keyPrefix = "bench/put/";
            workers.add(Thread.ofPlatform().name("bench-" + w.name() + "-" + c).start(() -> {
                while (System.nanoTime() < deadlineNs
                        && issued.incrementAndGet() <= maxRequests
                        && errors.get() < MAX_ERRORS_BEFORE_ABORT) {
                    long t0 = System.nanoTime();
                    try {
                        KVGrpc.KVBlockingStub call = stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
                        if (w.op() == Op.PUT) {
                            String key = keyPrefix + random.nextInt(options.keySpace());
                            call.put(PutRequest.newBuilder()
                                    .setKey(ByteString.copyFromUtf8(key))
                                    .setValue(value)
                                    .build());
                        } else {
                            call.range(RangeRequest.newBuilder()
                                    .setKey(rangeKey)
                                    .setSerializable(w.op() == Op.SRANGE)
                                    .build());
                        }
                    } catch (StatusRuntimeException e) {
                        if (errors.incrementAndGet() == 1) {
                            System.err.println("first error in " + w.name() + ": " + e.getStatus());
                        }
                        continue;
                    }
                    if (!recorder.record(System.nanoTime() - t0)) {
                        break;
                    }
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        return new Phase(recorders, errors.get(), System.nanoTime());
    }

    private static ByteString randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return ByteString.copyFrom(b);
    }

    static String table(List<Result> results, Options options) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%n%d s per workload after %d s warm-up, %d-byte values, %d connection(s)%n",
                options.durationSeconds(),
                options.warmupSeconds(),
                options.valueSizeBytes(),
                options.connections()));
        String format = "%-8s %-42s %10s %7s %10s %9s %9s %9s  %s%n";
        sb.append(String.format(
                Locale.ROOT,
                format,
                "server",
                "workload",
                "requests",
                "errors",
                "req/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                ""));
        for (Result r : results) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-8s %-42s %10d %7d %10.0f %9.2f %9.2f %9.2f  %s%n",
                    r.server(),
                    r.workload().describe(),
                    r.requests(),
                    r.errors(),
                    r.requestsPerSecond(),
                    r.p50Ms(),
                    r.p90Ms(),
                    r.p99Ms(),
                    r.note()));
        }
        return sb.toString();
    }
}
