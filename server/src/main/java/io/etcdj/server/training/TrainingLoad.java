package io.etcdj.server.training;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The load that trains the JVM's ahead-of-time cache (bin/lib/aot.sh): every client path a user meets first, driven
 * for a few seconds each against members the script started, so a member started later from the cache has the
 * classes loaded and the JIT's profiles of these paths from its first request. gRPC (puts, single and concurrent;
 * linearizable and serializable ranges; compare-and-swap txns; deletes; leases with keep-alives; watch streams with
 * events flowing; status) and the JSON gateway and the web console over new TLS (HTTP/2) and plain HTTP/1.1 connections, as curl and
 * browsers use it. Not a benchmark: it counts nothing but failures.
 *
 * <p>Usage: {@code TrainingLoad <grpc endpoint,...> <https gateway URL> <seconds per phase>}
 */
public final class TrainingLoad {
    private static final int IN_FLIGHT = 16;
    private static final String PREFIX = "aot-training/";

    private final List<KVGrpc.KVStub> kv = new ArrayList<>();
    private final List<WatchGrpc.WatchStub> watch = new ArrayList<>();
    private final LeaseGrpc.LeaseStub lease;
    private final MaintenanceGrpc.MaintenanceBlockingStub maintenance;
    private final URI gateway;
    private final String plainEndpoint;
    private final long phaseNs;
    private final AtomicLong failures = new AtomicLong();

    private TrainingLoad(List<String> endpoints, URI gateway, long phaseSeconds) {
        for (String e : endpoints) {
            String target = "http://" + e;
            kv.add(GrpcClients.builder(target).responseTimeoutMillis(10_000).build(KVGrpc.KVStub.class));
            watch.add(GrpcClients.builder(target).responseTimeoutMillis(0).build(WatchGrpc.WatchStub.class));
        }
        String first = "http://" + endpoints.get(0);
        this.lease = GrpcClients.builder(first).responseTimeoutMillis(0).build(LeaseGrpc.LeaseStub.class);
        this.maintenance = GrpcClients.builder(first)
                .responseTimeoutMillis(10_000)
                .build(MaintenanceGrpc.MaintenanceBlockingStub.class);
        this.gateway = gateway;
        this.plainEndpoint = endpoints.get(0);
        this.phaseNs = TimeUnit.SECONDS.toNanos(phaseSeconds);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TrainingLoad <host:port,...> <https://host:port gateway> <seconds per phase>");
            System.exit(2);
        }
        TrainingLoad load = new TrainingLoad(List.of(args[0].split(",")), URI.create(args[1]), Long.parseLong(args[2]));
        load.run();
        System.err.println("training load done; failed requests: " + load.failures.get());
        System.exit(0); // Armeria's event loops are not daemon threads
    }

    private void run() throws Exception {
        Watching watching = new Watching();
        watching.open(8);
        phase(IN_FLIGHT, i -> put(i % kv.size(), i));
        phase(1, i -> put(0, i));
        phase(IN_FLIGHT, i -> range(i % kv.size(), i, false));
        phase(IN_FLIGHT, i -> range(i % kv.size(), i, true));
        phase(IN_FLIGHT, i -> txn(i % kv.size(), i));
        phase(4, this::leaseCycle);
        phase(IN_FLIGHT, i -> delete(i % kv.size(), i));
        for (int i = 0; i < 20; i++) {
            maintenance.status(StatusRequest.getDefaultInstance());
        }
        gatewayPhase(SessionProtocol.HTTPS);
        gatewayPhase(SessionProtocol.HTTP);
        watching.close();
        System.err.println("training load: " + watching.events.get() + " watch events received");
    }

    /** Issues requests {@code 0, 1, 2, ...} with at most {@code inFlight} outstanding, for one phase. */
    private void phase(int inFlight, IntFunction<CompletableFuture<?>> request) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        long end = System.nanoTime() + phaseNs;
        for (int i = 0; System.nanoTime() < end; i++) {
            slots.acquire();
            request.apply(i).whenComplete((r, err) -> {
                if (err != null && failures.incrementAndGet() <= 3) {
                    System.err.println("training request failed: " + err);
                }
                slots.release();
            });
        }
        slots.acquire(inFlight);
    }

    private static ByteString key(int i) {
        return ByteString.copyFromUtf8(PREFIX + (i % 1000));
    }

    private CompletableFuture<?> put(int member, int i) {
        PutRequest req = PutRequest.newBuilder()
                .setKey(key(i))
                .setValue(ByteString.copyFrom(new byte[256]))
                .build();
        return Calls.<PutResponse>unary(obs -> kv.get(member).put(req, obs));
    }

    private CompletableFuture<?> range(int member, int i, boolean serializable) {
        RangeRequest req = RangeRequest.newBuilder()
                .setKey(key(i))
                .setSerializable(serializable)
                .build();
        if (i % 50 == 0) { // now and then a prefix range with a limit, as lists do
            req = RangeRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(PREFIX))
                    .setRangeEnd(ByteString.copyFromUtf8("aot-training0"))
                    .setLimit(100)
                    .build();
        }
        RangeRequest r = req;
        return Calls.<RangeResponse>unary(obs -> kv.get(member).range(r, obs));
    }

    private CompletableFuture<?> txn(int member, int i) {
        TxnRequest req = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(key(i))
                        .setTarget(Compare.CompareTarget.MOD)
                        .setResult(Compare.CompareResult.GREATER)
                        .setModRevision(0))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestPut(
                                PutRequest.newBuilder().setKey(key(i)).setValue(ByteString.copyFromUtf8("txn-" + i))))
                .addFailure(RequestOp.newBuilder()
                        .setRequestRange(RangeRequest.newBuilder().setKey(key(i))))
                .build();
        return Calls.<TxnResponse>unary(obs -> kv.get(member).txn(req, obs));
    }

    private CompletableFuture<?> delete(int member, int i) {
        DeleteRangeRequest req = DeleteRangeRequest.newBuilder()
                .setKey(key(i))
                .setPrevKv(i % 2 == 0)
                .build();
        return Calls.<DeleteRangeResponse>unary(obs -> kv.get(member).deleteRange(req, obs));
    }

    /** Grant, put with the lease, a few keep-alives on a stream, revoke. */
    private CompletableFuture<?> leaseCycle(int i) {
        CompletableFuture<LeaseGrantResponse> grant = Calls.unary(obs ->
                lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(30).build(), obs));
        return grant.thenCompose(g -> Calls.<PutResponse>unary(obs -> kv.get(0)
                        .put(
                                PutRequest.newBuilder()
                                        .setKey(key(i))
                                        .setValue(ByteString.copyFromUtf8("leased"))
                                        .setLease(g.getID())
                                        .build(),
                                obs))
                .thenCompose(p -> keepAlive(g.getID(), 3))
                .thenCompose(k -> Calls.<LeaseRevokeResponse>unary(obs -> lease.leaseRevoke(
                        LeaseRevokeRequest.newBuilder().setID(g.getID()).build(), obs))));
    }

    private CompletableFuture<Void> keepAlive(long id, int times) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<LeaseKeepAliveRequest>[] out = new StreamObserver[1];
        out[0] = lease.leaseKeepAlive(new StreamObserver<>() {
            private int answers;

            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                if (++answers < times) {
                    out[0].onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
                } else {
                    out[0].onCompleted();
                    done.complete(null);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        out[0].onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
        return done;
    }

    /**
     * The JSON gateway as curl uses it: a new connection per request (TLS handshake and HTTP/2 set-up each time over
     * https), puts, ranges, a watch that is cancelled after its first event, and the health and version endpoints.
     */
    private void gatewayPhase(SessionProtocol protocol) {
        URI base = protocol == SessionProtocol.HTTPS ? gateway : URI.create("h1c://" + plainEndpoint);
        String k = Base64.getEncoder().encodeToString((PREFIX + "gw").getBytes(StandardCharsets.UTF_8));
        String v = Base64.getEncoder().encodeToString("value".getBytes(StandardCharsets.UTF_8));
        long end = System.nanoTime() + phaseNs;
        while (System.nanoTime() < end) {
            try (ClientFactory factory = ClientFactory.builder().tlsNoVerify().build()) {
                WebClient web = WebClient.builder(base)
                        .factory(factory)
                        .responseTimeout(Duration.ofSeconds(10))
                        .build();
                List<CompletableFuture<AggregatedHttpResponse>> calls = new ArrayList<>();
                calls.add(post(web, "/v3/kv/put", "{\"key\":\"" + k + "\",\"value\":\"" + v + "\"}"));
                calls.add(post(web, "/v3/kv/range", "{\"key\":\"" + k + "\"}"));
                calls.add(post(web, "/v3/kv/range", "{\"key\":\"" + k + "\",\"serializable\":true}"));
                calls.add(web.get("/health").aggregate());
                calls.add(web.get("/version").aggregate());
                consoleFirstLoad(web, calls);
                for (CompletableFuture<AggregatedHttpResponse> c : calls) {
                    AggregatedHttpResponse r = c.join();
                    if (r.status().isError() && failures.incrementAndGet() <= 3) {
                        System.err.println("training gateway request failed: " + r.status() + " " + r.contentUtf8());
                    }
                }
                gatewayWatch(web, k);
            } catch (RuntimeException e) {
                if (failures.incrementAndGet() <= 3) {
                    System.err.println("training gateway request failed (" + protocol + "): " + e);
                }
            }
        }
    }

    /**
     * What a browser's first visit to the web console asks for: the page and a script, who the caller is, the key
     * tree's first level, a search and the members' statuses (the console's first load took 558 ms on a fresh member
     * against ~250 ms warm).
     */
    private static void consoleFirstLoad(WebClient web, List<CompletableFuture<AggregatedHttpResponse>> calls) {
        String prefix = Base64.getEncoder().encodeToString(PREFIX.getBytes(StandardCharsets.UTF_8));
        calls.add(web.get("/ui/").aggregate());
        calls.add(web.get("/ui/js/app.js").aggregate());
        calls.add(post(web, "/ui/api/v1/whoami", "{}"));
        calls.add(post(web, "/ui/api/v1/children", "{\"prefix\":\"" + prefix + "\",\"limit\":200}"));
        calls.add(post(web, "/ui/api/v1/search", "{\"key\":\"" + prefix + "\",\"text\":\"gw\",\"limit\":50}"));
        calls.add(post(web, "/ui/api/v1/members", "{}"));
    }

    private static CompletableFuture<AggregatedHttpResponse> post(WebClient web, String path, String json) {
        return web.execute(HttpRequest.of(HttpMethod.POST, path, MediaType.JSON_UTF_8, json))
                .aggregate();
    }

    /** A gateway watch from revision 1 (so its first message carries events at once), dropped after it. */
    private void gatewayWatch(WebClient web, String key) {
        HttpResponse res = web.execute(HttpRequest.of(
                HttpMethod.POST,
                "/v3/watch",
                MediaType.JSON_UTF_8,
                "{\"create_request\":{\"key\":\"" + key + "\",\"start_revision\":1}}"));
        CompletableFuture<Void> first = new CompletableFuture<>();
        res.subscribe(new FirstChunk(first));
        try {
            first.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            failures.incrementAndGet();
        }
        res.abort();
    }

    /** Watch streams over every member on the training prefix, kept open through the phases. */
    private final class Watching {
        final AtomicLong events = new AtomicLong();
        private final List<StreamObserver<WatchRequest>> streams = new ArrayList<>();

        void open(int count) {
            for (int i = 0; i < count; i++) {
                StreamObserver<WatchRequest> s = watch.get(i % watch.size()).watch(new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse r) {
                        events.addAndGet(r.getEventsCount());
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
                s.onNext(WatchRequest.newBuilder()
                        .setCreateRequest(WatchCreateRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8(PREFIX))
                                .setRangeEnd(ByteString.copyFromUtf8("aot-training0"))
                                .setPrevKv(i % 2 == 0))
                        .build());
                streams.add(s);
            }
        }

        void close() {
            streams.forEach(StreamObserver::onCompleted);
        }
    }
}
