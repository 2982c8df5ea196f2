package io.etcdj.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.CompactionRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.server.cluster.MemberIds;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The member in-process, driven over real gRPC on loopback. */
class EtcdjServerTest {
    @TempDir
    Path dir;

    EtcdjServer server;
    KVGrpc.KVBlockingStub kv;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        connect();
    }

    void connect() {
        int port = server.clientPort().activePort(SessionProtocol.HTTP);
        kv = GrpcClients.newClient("http://127.0.0.1:" + port, KVGrpc.KVBlockingStub.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void headerCarriesEtcdsIdsAndTheRevision() {
        PutResponse put =
                kv.put(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v")).build());
        assertEquals(2, put.getHeader().getRevision());
        // etcd with no flags: member id 8e9e05c52164694d, cluster id cdf818194e3a8c32
        assertEquals(
                MemberIds.memberId(List.of("http://localhost:2380"), "etcd-cluster"),
                put.getHeader().getMemberId());
        assertEquals("8e9e05c52164694d", Long.toHexString(put.getHeader().getMemberId()));
        assertEquals("cdf818194e3a8c32", Long.toHexString(put.getHeader().getClusterId()));
        assertEquals(2, put.getHeader().getRaftTerm());
    }

    @Test
    void concurrentWritesAreAllAppliedWithDistinctRevisions() {
        List<CompletableFuture<PutResponse>> puts = IntStream.range(0, 200)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> kv.put(PutRequest.newBuilder()
                        .setKey(bs("c/" + i))
                        .setValue(bs("v"))
                        .build())))
                .toList();
        long distinct = puts.stream()
                .map(CompletableFuture::join)
                .mapToLong(p -> p.getHeader().getRevision())
                .distinct()
                .count();
        assertEquals(200, distinct);
        RangeResponse all = kv.range(RangeRequest.newBuilder()
                .setKey(bs("c/"))
                .setRangeEnd(bs("c0"))
                .setCountOnly(true)
                .build());
        assertEquals(200, all.getCount());
    }

    /**
     * etcd's two limits on a request (--max-request-bytes 1.5 MiB by default, and gRPC's receive limit 512 KiB above
     * it): up to the gRPC limit the server refuses with InvalidArgument, past it gRPC does with ResourceExhausted and
     * its own text, whatever the size (a plain HTTP 413 reached gRPC clients as Unknown with no message).
     */
    @Test
    void requestsPastTheLimitsAreRefusedAsEtcdRefusesThem() {
        int grpcLimit = 1536 * 1024 + 512 * 1024;
        for (int messageBytes : new int[] {grpcLimit - 5, grpcLimit}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> kv.put(putOf(messageBytes)));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), messageBytes + " bytes");
            assertEquals("etcdserver: request is too large", e.getStatus().getDescription());
        }
        for (int messageBytes : new int[] {grpcLimit + 1, grpcLimit + 100, 3 << 20, 8 << 20}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> kv.put(putOf(messageBytes)));
            assertEquals(
                    Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), messageBytes + " bytes: " + e.getStatus());
            assertEquals(
                    "grpc: received message larger than max (" + messageBytes + " vs. " + grpcLimit + ")",
                    e.getStatus().getDescription());
        }
    }

    /**
     * A client whose frame prefix declares a small message and then sends 4 MiB is refused once it passes the limit,
     * not read whole.
     */
    @Test
    void aMessageLongerThanItsPrefixSaysIsCutAtTheLimit() {
        byte[] body = new byte[4 << 20];
        body[4] = 10; // flag 0, length 10
        AggregatedHttpResponse r = WebClient.of(
                        "h2c://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP))
                .execute(
                        RequestHeaders.of(
                                HttpMethod.POST,
                                "/etcdserverpb.KV/Put",
                                HttpHeaderNames.CONTENT_TYPE,
                                "application/grpc"),
                        HttpData.wrap(body))
                .aggregate()
                .join();
        assertEquals("8", r.headers().get("grpc-status"), r.toString());
        String message = r.headers().get("grpc-message", "");
        assertTrue(message.matches("grpc: received message larger than max \\(\\d+ vs\\. 2097152\\)"), message);
        long readBytes = Long.parseLong(message.replaceAll(".*\\((\\d+) vs.*", "$1"));
        assertTrue(readBytes < 2097152 + 65536, "read " + readBytes + " bytes, a chunk or so past the limit at most");
    }

    /** A put whose serialized message is exactly {@code messageBytes} long. */
    private static PutRequest putOf(int messageBytes) {
        int valueBytes = messageBytes;
        PutRequest r;
        while ((r = PutRequest.newBuilder()
                                .setKey(bs("big"))
                                .setValue(ByteString.copyFrom(new byte[valueBytes]))
                                .build())
                        .getSerializedSize()
                != messageBytes) {
            valueBytes -= r.getSerializedSize() - messageBytes;
        }
        return r;
    }

    @Test
    void errorsCarryEtcdsCodesAndTexts() {
        StatusRuntimeException empty = assertThrows(
                StatusRuntimeException.class,
                () -> kv.put(PutRequest.newBuilder().setValue(bs("v")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
        assertEquals("etcdserver: key is not provided", empty.getStatus().getDescription());
        StatusRuntimeException future = assertThrows(
                StatusRuntimeException.class,
                () -> kv.range(RangeRequest.newBuilder()
                        .setKey(bs("k"))
                        .setRevision(100)
                        .build()));
        assertEquals(Status.Code.OUT_OF_RANGE, future.getStatus().getCode());
        assertEquals(
                "etcdserver: mvcc: required revision is a future revision",
                future.getStatus().getDescription());
        StatusRuntimeException tooLarge = assertThrows(
                StatusRuntimeException.class,
                () -> kv.put(PutRequest.newBuilder()
                        .setKey(bs("big"))
                        .setValue(ByteString.copyFrom(new byte[1536 * 1024 + 10]))
                        .build()));
        assertEquals("etcdserver: request is too large", tooLarge.getStatus().getDescription());
        var lease = GrpcClients.newClient(
                "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP),
                LeaseGrpc.LeaseBlockingStub.class);
        StatusRuntimeException tooLong = assertThrows(
                StatusRuntimeException.class,
                () -> lease.leaseGrant(
                        LeaseGrantRequest.newBuilder().setTTL(9_000_000_001L).build()));
        assertEquals(Status.Code.OUT_OF_RANGE, tooLong.getStatus().getCode());
        assertEquals("etcdserver: too large lease TTL", tooLong.getStatus().getDescription());
    }

    @Test
    void physicalCompactionThenCompactedReadsFail() {
        kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).build());
        kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("2")).build());
        kv.compact(
                CompactionRequest.newBuilder().setRevision(3).setPhysical(true).build());
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class,
                () -> kv.range(
                        RangeRequest.newBuilder().setKey(bs("a")).setRevision(2).build()));
        assertEquals(
                "etcdserver: mvcc: required revision has been compacted",
                e.getStatus().getDescription());
        StatusRuntimeException again = assertThrows(
                StatusRuntimeException.class,
                () -> kv.compact(CompactionRequest.newBuilder().setRevision(3).build()));
        assertEquals(Status.Code.OUT_OF_RANGE, again.getStatus().getCode());
    }

    @Test
    void restartKeepsDataAndBumpsTheTerm() throws Exception {
        kv.put(PutRequest.newBuilder().setKey(bs("durable")).setValue(bs("yes")).build());
        server.close();
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        connect();
        RangeResponse r =
                kv.range(RangeRequest.newBuilder().setKey(bs("durable")).build());
        assertEquals("yes", r.getKvs(0).getValue().toStringUtf8());
        assertEquals(3, r.getHeader().getRaftTerm());
        var maintenance = GrpcClients.newClient(
                "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP),
                MaintenanceGrpc.MaintenanceBlockingStub.class);
        StatusResponse status = maintenance.status(StatusRequest.getDefaultInstance());
        assertEquals(r.getHeader().getMemberId(), status.getLeader());
        assertTrue(status.getRaftAppliedIndex() >= 1);
        assertTrue(status.getDbSize() > 0);
    }
}
