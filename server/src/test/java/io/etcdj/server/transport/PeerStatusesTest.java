package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.http.TlsSettings;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's fan-out of Status over the peer port: a peer answering over TLS, one whose port is closed, and one
 * that accepts the connection but never answers (a hung process); the whole round ends within the deadline.
 */
class PeerStatusesTest {
    private static final long TIMEOUT_MS = 700;
    private static Server tlsPeer;
    private static ServerSocket blackHole;
    private static int closedPort;
    private static PeerClients clients;

    @BeforeAll
    static void start() throws Exception {
        ServerBuilder sb = Server.builder().https(0);
        ClientPort.configureTls(sb, new TlsSettings(null, null, null, false, true)); // --peer-auto-tls's kind
        tlsPeer = sb.service(GrpcService.builder()
                        .addService(new PeerGrpc.PeerImplBase() {
                            @Override
                            public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
                                out.onNext(StatusResponse.newBuilder()
                                        .setVersion("3.6.16")
                                        .setRaftTerm(7)
                                        .setRaftAppliedIndex(42)
                                        .setDbSize(4096)
                                        .setDbSizeInUse(2048)
                                        .setLeader(1)
                                        .build());
                                out.onCompleted();
                            }
                        })
                        .build())
                .build();
        tlsPeer.start().join();
        // accepted by the kernel (backlog), never read: the TLS handshake and the call wait forever
        blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        clients = new PeerClients(new TlsSettings(null, null, null, false, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (clients != null) {
            clients.close();
        }
        if (tlsPeer != null) {
            tlsPeer.stop().join();
        }
        if (blackHole != null) {
            blackHole.close();
        }
    }

    private static MemberInfo member(long id, String... peerUrls) {
        return new MemberInfo(id, "m" + id, List.of(peerUrls), List.of(), false);
    }

    @Test
    void everyMemberIsReportedWithinTheDeadlineWhateverTheOthersDo() throws Exception {
        String tls = "https://127.0.0.1:" + tlsPeer.activeLocalPort(SessionProtocol.HTTPS);
        List<MemberInfo> members = List.of(
                member(1, tls),
                member(2, "https://127.0.0.1:" + closedPort),
                member(3, "https://127.0.0.1:" + blackHole.getLocalPort()),
                member(4, "https://127.0.0.1:" + closedPort, tls),
                member(5));
        // a member's peer connections are open (raft uses them): warm the client and the TLS session up first,
        // as a cold JVM builds its first client and handshake in about a second
        PeerStatuses.ask(clients::stub, members.subList(0, 2), 10_000, System::nanoTime)
                .get(20, TimeUnit.SECONDS);
        long start = System.nanoTime();
        List<PeerStatuses.Answer> answers = PeerStatuses.ask(clients::stub, members, TIMEOUT_MS, System::nanoTime)
                .get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(5, answers.size());
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L),
                answers.stream().map(a -> a.member().id()).toList());

        PeerStatuses.Answer up = answers.get(0);
        assertNull(up.error());
        assertEquals(7, up.status().getRaftTerm());
        assertEquals(42, up.status().getRaftAppliedIndex());
        assertEquals(2048, up.status().getDbSizeInUse());

        PeerStatuses.Answer refused = answers.get(1);
        assertNull(refused.status());
        assertTrue(refused.error().startsWith("UNAVAILABLE"), refused.error());

        PeerStatuses.Answer hung = answers.get(2);
        assertNull(hung.status());
        assertTrue(hung.error().startsWith("DEADLINE_EXCEEDED"), hung.error()); // not the 1 s connect timeout
        assertTrue(hung.tookMs() >= TIMEOUT_MS - 50, "gave up at " + hung.tookMs() + " ms");

        PeerStatuses.Answer secondUrl = answers.get(3); // the first URL refuses, the second answers
        assertNull(secondUrl.error());
        assertEquals(7, secondUrl.status().getRaftTerm());

        assertEquals("the member has no peer URL", answers.get(4).error());
        // in parallel: the round takes one deadline (plus scheduling), not one per member
        assertTrue(tookMs < TIMEOUT_MS + 500, "the round took " + tookMs + " ms");
    }
}
