package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrantResponse;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdj.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdj.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdj.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lease service in-process over real gRPC: etcd's answers and errors (expiry itself is tested elsewhere). */
class LeaseServiceTest {
    @TempDir
    Path dir;

    EtcdjServer server;
    KVGrpc.KVBlockingStub kv;
    LeaseGrpc.LeaseBlockingStub lease;
    LeaseGrpc.LeaseStub leaseAsync;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        connect();
    }

    void connect() {
        String uri = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        kv = GrpcClients.newClient(uri, KVGrpc.KVBlockingStub.class);
        lease = GrpcClients.newClient(uri, LeaseGrpc.LeaseBlockingStub.class);
        leaseAsync = GrpcClients.newClient(uri, LeaseGrpc.LeaseStub.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    long grant(long ttl) {
        return lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl).build())
                .getID();
    }

    void put(String key, long leaseId) {
        kv.put(PutRequest.newBuilder()
                .setKey(bs(key))
                .setValue(bs("v"))
                .setLease(leaseId)
                .build());
    }

    RangeResponse get(String key) {
        return kv.range(RangeRequest.newBuilder().setKey(bs(key)).build());
    }

    StatusRuntimeException fails(Runnable call, Status.Code code, String message) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode());
        assertEquals(message, e.getStatus().getDescription());
        return e;
    }

    @Test
    void grantRaisesShortTtlsChoosesIdsAndRefusesDuplicates() {
        LeaseGrantResponse g =
                lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build());
        assertEquals(2, g.getTTL()); // ceil(1.5 x the 1 s election timeout)
        assertTrue(g.getID() > 0);
        assertEquals(1, g.getHeader().getRevision());
        assertNotEquals(0, g.getHeader().getMemberId());
        assertNotEquals(g.getID(), grant(10));
        assertEquals(
                42,
                lease.leaseGrant(LeaseGrantRequest.newBuilder()
                                .setID(42)
                                .setTTL(10)
                                .build())
                        .getID());
        fails(
                () -> lease.leaseGrant(
                        LeaseGrantRequest.newBuilder().setID(42).setTTL(10).build()),
                Status.Code.FAILED_PRECONDITION,
                "etcdserver: lease already exists");
        assertEquals(
                3, lease.leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesCount());
    }

    @Test
    void timeToLiveListsKeysAndAnswersMinusOneForUnknownLeases() {
        long id = grant(60);
        put("b", id);
        put("a", id);
        LeaseTimeToLiveResponse t = lease.leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
        assertEquals(60, t.getGrantedTTL());
        assertTrue(t.getTTL() >= 58 && t.getTTL() <= 60, "ttl " + t.getTTL());
        assertEquals(List.of(bs("a"), bs("b")), t.getKeysList());
        assertEquals(3, t.getHeader().getRevision());
        LeaseTimeToLiveResponse unknown = lease.leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(12345).build());
        assertEquals(-1, unknown.getTTL());
        assertEquals(12345, unknown.getID());
        assertEquals(0, unknown.getGrantedTTL());
    }

    @Test
    void revokeDeletesTheKeysAndAPutNamingAnUnknownLeaseIsRefused() {
        long id = grant(60);
        put("x", id);
        put("y", id);
        long revision = lease.leaseRevoke(
                        LeaseRevokeRequest.newBuilder().setID(id).build())
                .getHeader()
                .getRevision();
        assertEquals(4, revision); // two puts, then both deletions at one revision
        assertEquals(0, get("x").getCount());
        assertEquals(0, get("y").getCount());
        fails(
                () -> lease.leaseRevoke(
                        LeaseRevokeRequest.newBuilder().setID(id).build()),
                Status.Code.NOT_FOUND,
                "etcdserver: requested lease not found");
        fails(() -> put("z", id), Status.Code.NOT_FOUND, "etcdserver: requested lease not found");
    }

    /** One LeaseKeepAlive stream: sends a request per id, half-closes at once, and returns what came back. */
    List<LeaseKeepAliveResponse> keepAlive(List<Long> ids) throws Exception {
        List<LeaseKeepAliveResponse> answers = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<LeaseKeepAliveRequest> requests = leaseAsync.leaseKeepAlive(new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                synchronized (answers) {
                    answers.add(r);
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
        for (long id : ids) {
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
        }
        requests.onCompleted();
        done.get(30, TimeUnit.SECONDS);
        synchronized (answers) {
            return List.copyOf(answers);
        }
    }

    @Test
    void keepAliveStreamAnswersEachRequestAndUnknownLeasesWithZero() throws Exception {
        long id = grant(30);
        int n = 200; // more than the stream's bound on requests in progress
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i % 2 == 0 ? id : 999);
        }
        List<LeaseKeepAliveResponse> answers = keepAlive(ids);
        assertEquals(n, answers.size());
        for (LeaseKeepAliveResponse r : answers) {
            assertEquals(r.getID() == id ? 30 : 0, r.getTTL());
            assertNotEquals(0, r.getHeader().getRevision());
        }
    }

    /**
     * python-etcd3's Lease.refresh(): one request, then the client's half-close right behind it. The answer must
     * still come before the stream ends (it was lost in about one call in six when the half-close overtook it).
     */
    /**
     * A client keeps one keep-alive stream for days: the request bytes it sends over the stream's life add up past
     * any single request's size limit (here 160,000 requests of 16 bytes on the wire, 2.5 MB) and must not end it.
     */
    @Test
    void aLongLivedStreamIsNotCutByTheRequestSizeLimit() throws Exception {
        long id = grant(30);
        List<Long> ids = Collections.nCopies(160_000, id);
        List<LeaseKeepAliveResponse> answers = keepAlive(ids);
        assertEquals(ids.size(), answers.size());
    }

    @Test
    void aRequestFollowedAtOnceByTheHalfCloseIsStillAnswered() throws Exception {
        long id = grant(30);
        for (int i = 0; i < 200; i++) {
            long asked = i % 2 == 0 ? id : 999;
            List<LeaseKeepAliveResponse> answers = keepAlive(List.of(asked));
            assertEquals(1, answers.size(), "call " + i + " (lease " + asked + ")");
            assertEquals(asked == id ? 30 : 0, answers.get(0).getTTL());
        }
    }

    @Test
    void aRestartKeepsLeasesAndTheirKeys() throws Exception {
        long id = grant(600);
        put("kept", id);
        server.close();
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        connect();
        assertEquals(id, get("kept").getKvs(0).getLease());
        LeaseTimeToLiveResponse t = lease.leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
        assertTrue(t.getTTL() > 590, "ttl " + t.getTTL());
        assertEquals(List.of(bs("kept")), t.getKeysList());
        lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
        assertEquals(0, get("kept").getCount());
    }
}
