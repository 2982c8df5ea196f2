package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.v3electionpb.CampaignRequest;
import io.etcdj.api.v3electionpb.CampaignResponse;
import io.etcdj.api.v3electionpb.ElectionGrpc;
import io.etcdj.api.v3electionpb.LeaderKey;
import io.etcdj.api.v3electionpb.LeaderRequest;
import io.etcdj.api.v3electionpb.LeaderResponse;
import io.etcdj.api.v3electionpb.ProclaimRequest;
import io.etcdj.api.v3electionpb.ResignRequest;
import io.etcdj.api.v3lockpb.LockGrpc;
import io.etcdj.api.v3lockpb.LockRequest;
import io.etcdj.api.v3lockpb.LockResponse;
import io.etcdj.api.v3lockpb.UnlockRequest;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lock and Election services in-process over real gRPC: etcd 3.4's statuses and texts, and what a client going
 * away does (its waiting key is removed; an observer's watch is closed). One member serves every test (each uses
 * its own names), which keeps the class fast.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LockElectionServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    EtcdjServer server;
    KVGrpc.KVBlockingStub kv;
    LeaseGrpc.LeaseBlockingStub lease;
    LockGrpc.LockBlockingStub lock;
    LockGrpc.LockStub lockAsync;
    ElectionGrpc.ElectionBlockingStub election;
    ElectionGrpc.ElectionStub electionAsync;

    @BeforeAll
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        String uri = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        kv = GrpcClients.newClient(uri, KVGrpc.KVBlockingStub.class);
        lease = GrpcClients.newClient(uri, LeaseGrpc.LeaseBlockingStub.class);
        lock = GrpcClients.newClient(uri, LockGrpc.LockBlockingStub.class);
        lockAsync = GrpcClients.newClient(uri, LockGrpc.LockStub.class);
        election = GrpcClients.newClient(uri, ElectionGrpc.ElectionBlockingStub.class);
        electionAsync = GrpcClients.newClient(uri, ElectionGrpc.ElectionStub.class);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    long grant() {
        return lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build())
                .getID();
    }

    long keysUnder(String prefix) {
        return kv.range(RangeRequest.newBuilder()
                        .setKey(bs(prefix))
                        .setRangeEnd(bs(prefix + "\u00ff"))
                        .setCountOnly(true)
                        .build())
                .getCount();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static void assertStatus(Status.Code code, String message, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode());
        assertEquals(message, e.getStatus().getDescription());
    }

    @Test
    void errorsComeWithEtcdsCodeAndText() {
        assertStatus(
                Status.Code.UNKNOWN,
                "etcdserver: requested lease not found",
                () -> lock.lock(LockRequest.newBuilder()
                        .setName(bs("l"))
                        .setLease(12345)
                        .build()));
        assertStatus(
                Status.Code.UNKNOWN,
                "etcdserver: key is not provided",
                () -> lock.unlock(UnlockRequest.getDefaultInstance()));
        assertStatus(
                Status.Code.UNKNOWN,
                "election: no leader",
                () -> election.leader(
                        LeaderRequest.newBuilder().setName(bs("e")).build()));
        assertStatus(
                Status.Code.UNKNOWN,
                "\"leader\" field must be provided",
                () -> election.proclaim(
                        ProclaimRequest.newBuilder().setValue(bs("v")).build()));
        assertStatus(
                Status.Code.UNKNOWN,
                "\"leader\" field must be provided",
                () -> election.resign(ResignRequest.getDefaultInstance()));
        assertStatus(
                Status.Code.UNKNOWN,
                "election: not leader",
                () -> election.proclaim(ProclaimRequest.newBuilder()
                        .setLeader(LeaderKey.newBuilder()
                                .setName(bs("e"))
                                .setKey(bs("e/1"))
                                .setRev(2))
                        .build()));
    }

    @Test
    void lockThenUnlockThenTheNextWaiterHoldsIt() throws Exception {
        LockResponse held = lock.lock(
                LockRequest.newBuilder().setName(bs("job")).setLease(grant()).build());
        CompletableFuture<LockResponse> next = new CompletableFuture<>();
        lockAsync.lock(
                LockRequest.newBuilder().setName(bs("job")).setLease(grant()).build(), Observers.into(next));
        await("the waiter's key exists", () -> keysUnder("job/") == 2);
        lock.unlock(UnlockRequest.newBuilder().setKey(held.getKey()).build());
        LockResponse second = next.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, keysUnder("job/"));
        assertEquals(
                second.getKey(),
                kv.range(RangeRequest.newBuilder()
                                .setKey(bs("job/"))
                                .setRangeEnd(bs("job0"))
                                .build())
                        .getKvs(0)
                        .getKey());
    }

    @Test
    void aWaiterWhoseDeadlinePassesLeavesTheQueue() {
        lock.lock(LockRequest.newBuilder().setName(bs("dl")).setLease(grant()).build());
        assertThrows(
                StatusRuntimeException.class,
                () -> lock.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .lock(LockRequest.newBuilder()
                                .setName(bs("dl"))
                                .setLease(grant())
                                .build()));
        await("the timed-out waiter's key is removed", () -> keysUnder("dl/") == 1);
    }

    @Test
    void aCandidateThatCancelsItsCampaignLeavesTheElection() throws Exception {
        CampaignResponse leader = election.campaign(CampaignRequest.newBuilder()
                .setName(bs("el"))
                .setLease(grant())
                .setValue(bs("a"))
                .build());
        CompletableFuture<ClientCallStreamObserver<CampaignRequest>> call = new CompletableFuture<>();
        electionAsync.campaign(
                CampaignRequest.newBuilder()
                        .setName(bs("el"))
                        .setLease(grant())
                        .setValue(bs("b"))
                        .build(),
                new ClientResponseObserver<CampaignRequest, CampaignResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<CampaignRequest> requests) {
                        call.complete(requests);
                    }

                    @Override
                    public void onNext(CampaignResponse value) {}

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        await("the candidate's key exists", () -> keysUnder("el/") == 2);
        call.get().cancel("the client gives up", null);
        await("the candidate's key is removed", () -> keysUnder("el/") == 1);
        assertEquals(
                "a",
                election.leader(LeaderRequest.newBuilder().setName(bs("el")).build())
                        .getKv()
                        .getValue()
                        .toStringUtf8());
        election.resign(ResignRequest.newBuilder().setLeader(leader.getLeader()).build());
    }

    @Test
    void observeStreamsLeadersAndClosesItsWatchWhenTheClientCancels() throws Exception {
        LinkedBlockingQueue<LeaderResponse> seen = new LinkedBlockingQueue<>();
        CompletableFuture<ClientCallStreamObserver<LeaderRequest>> call = new CompletableFuture<>();
        electionAsync.observe(
                LeaderRequest.newBuilder().setName(bs("ob")).build(),
                new ClientResponseObserver<LeaderRequest, LeaderResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<LeaderRequest> requests) {
                        call.complete(requests);
                    }

                    @Override
                    public void onNext(LeaderResponse value) {
                        seen.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        int before = watchers();
        await("the observer watches", () -> watchers() == before + 1);
        CampaignResponse a = election.campaign(CampaignRequest.newBuilder()
                .setName(bs("ob"))
                .setLease(grant())
                .setValue(bs("a"))
                .build());
        election.proclaim(ProclaimRequest.newBuilder()
                .setLeader(a.getLeader())
                .setValue(bs("a2"))
                .build());
        List<String> values = List.of(take(seen), take(seen));
        assertEquals(List.of("a", "a2"), values);
        call.get().cancel("done", null);
        await("the observer's watch is closed", () -> watchers() == before);
    }

    private int watchers() {
        return server.watchHub().stats().synced() + server.watchHub().stats().unsynced();
    }

    private static String take(LinkedBlockingQueue<LeaderResponse> q) throws InterruptedException {
        LeaderResponse r = q.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no leader state within " + WAIT);
        }
        return r.getKv().getValue().toStringUtf8();
    }

    /** Stream observers that complete futures. */
    static final class Observers {
        private Observers() {}

        static <T> io.grpc.stub.StreamObserver<T> into(CompletableFuture<T> f) {
            return new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(T value) {
                    f.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {}
            };
        }
    }
}
