package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdj.api.etcdserverpb.MemberAddRequest;
import io.etcdj.api.peer.LeaseRenewRequest;
import io.etcdj.api.peer.PeerGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The peer port opens before the member has built what answers its peers: a call in that window (a keep-alive a
 * follower forwards to a restarting leader) gets UNAVAILABLE, which clients retry, with a message that says why.
 */
class PeerServiceStartupTest {
    private Server server;
    private PeerGrpc.PeerBlockingStub peer;

    @BeforeEach
    void start() {
        PeerService notWired =
                new PeerService(1, null, new PeerActivity(1000), () -> null, () -> null, null, Long.MAX_VALUE);
        server = Server.builder()
                .http(0)
                .service(GrpcService.builder().addService(notWired).build())
                .build();
        server.start().join();
        peer = GrpcClients.newClient(
                        "http://127.0.0.1:" + server.activeLocalPort(SessionProtocol.HTTP),
                        PeerGrpc.PeerBlockingStub.class)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        server.stop().join();
    }

    @Test
    void everyPeerCallBeforeWiringIsToldToRetry() {
        List<Consumer<PeerGrpc.PeerBlockingStub>> calls = List.of(
                p -> p.leaseRenew(LeaseRenewRequest.newBuilder().setId(1).build()),
                p -> p.leaseTimeToLive(
                        LeaseTimeToLiveRequest.newBuilder().setID(1).build()),
                p -> p.memberAdd(MemberAddRequest.newBuilder()
                        .addPeerURLs("http://x:2380")
                        .build()),
                p -> p.hashKV(HashKVRequest.getDefaultInstance()));
        for (Consumer<PeerGrpc.PeerBlockingStub> call : calls) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.accept(peer));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            assertEquals(PeerService.STARTING, e.getStatus().getDescription());
        }
    }
}
