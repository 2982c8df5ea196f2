package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.RaftBatch;
import io.etcdj.api.peer.SendSummary;
import io.etcdj.raft.ConfState;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.raft.Snapshot;
import io.etcdj.raft.SnapshotMetadata;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.cluster.RaftIds;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real member, with its peer port, fed raft messages no peer should send: each is refused, and the member serves
 * on (before, a snapshot on the message stream or an append rewriting committed entries stopped it).
 */
class PeerMessageRefusalTest {
    private static final long STRANGER = 0x42;

    @TempDir
    Path dir;

    private EtcdjServer server;
    private KVGrpc.KVBlockingStub kv;
    private PeerGrpc.PeerStub peer;
    private long clusterId;
    private long self;

    /** A single member that listens for peers on a free loopback port. */
    static MemberConfig withPeerPort(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI peerUrl = URI.create("http://127.0.0.1:" + port);
        URI client = URI.create("http://127.0.0.1:0");
        Map<String, List<URI>> cluster = new LinkedHashMap<>();
        cluster.put("solo", List.of(peerUrl));
        MemberConfig d = MemberConfig.singleMember(dir, client);
        return new MemberConfig(
                "solo",
                dir,
                null,
                List.of(client),
                List.of(client),
                List.of(peerUrl),
                cluster,
                "refusal-test",
                false,
                d.snapshotCount(),
                d.maxTxnOps(),
                d.maxRequestBytes(),
                0,
                1000,
                d.clientTls(),
                d.watchProgressNotifyInterval(),
                List.of(peerUrl),
                100,
                d.clientTls(),
                true,
                true,
                d.quotaBackendBytes(),
                false,
                d.corruptCheckInterval(),
                true,
                true,
                d.auth(),
                d.maxLearners(),
                false);
    }

    @BeforeEach
    void start() throws Exception {
        MemberConfig cfg = withPeerPort(dir);
        server = EtcdjServer.start(cfg);
        kv = GrpcClients.newClient(
                "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP),
                KVGrpc.KVBlockingStub.class);
        peer = GrpcClients.newClient(
                "http://127.0.0.1:" + cfg.listenPeerUrls().get(0).getPort(), PeerGrpc.PeerStub.class);
        clusterId = server.identity().clusterId();
        self = RaftIds.of(server.identity().memberId());
        put("before", "1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void put(String k, String v) {
        kv.withDeadlineAfter(10, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8(k))
                        .setValue(ByteString.copyFromUtf8(v))
                        .build());
    }

    /** Sends one batch on a Send stream and waits until the member has taken it in. */
    private void sendBatch(List<ByteString> messages) throws Exception {
        CompletableFuture<SendSummary> done = new CompletableFuture<>();
        StreamObserver<RaftBatch> in = peer.send(new StreamObserver<>() {
            @Override
            public void onNext(SendSummary s) {
                done.complete(s);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        });
        in.onNext(RaftBatch.newBuilder()
                .setClusterId(clusterId)
                .setFrom(STRANGER)
                .setTo(self)
                .addAllMessages(messages)
                .build());
        in.onCompleted();
        assertEquals(1, done.get(10, TimeUnit.SECONDS).getBatches());
    }

    /** The member still commits and applies writes. */
    private void assertServes(String key) {
        put(key, "v");
        assertEquals(
                1,
                kv.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder()
                                .setKey(ByteString.copyFromUtf8(key))
                                .build())
                        .getCount());
    }

    @Test
    void garbageBytesAreDropped() throws Exception {
        sendBatch(List.of(ByteString.copyFrom(new byte[] {(byte) 0xff, 1, 2, 3}), ByteString.EMPTY));
        assertServes("after-garbage");
    }

    @Test
    void aSnapshotOnTheMessageStreamIsRefused() throws Exception {
        long term = 1000;
        Snapshot snap = new Snapshot(
                new SnapshotMetadata(1_000_000, term, ConfState.ofVoters(List.of(self, STRANGER))), new byte[0]);
        sendBatch(List.of(
                ByteString.copyFrom(RaftCodec.encode(new Message.SnapshotRequest(STRANGER, self, term, snap)))));
        assertServes("after-snapshot");
    }

    @Test
    void anAppendThatRewritesCommittedEntriesIsRefused() throws Exception {
        // a later term makes the member a follower; then entry 1 again at the end of its log: no leader sends that
        StatusResponse status = GrpcClients.newClient(
                        "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP),
                        MaintenanceGrpc.MaintenanceBlockingStub.class)
                .status(StatusRequest.getDefaultInstance());
        long last = status.getRaftIndex(); // all committed: its last entry is of the current term
        long term = status.getRaftTerm() + 1;
        sendBatch(List.of(ByteString.copyFrom(RaftCodec.encode(new Message.AppendRequest(
                STRANGER,
                self,
                term,
                last,
                status.getRaftTerm(),
                List.of(new Entry(term, 1, EntryType.NORMAL, new byte[0])),
                last)))));
        assertServes("after-append");
    }
}
