package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.api.peer.RaftBatch;
import io.etcdj.api.peer.SendSummary;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.Message;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.http.TlsSettings;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a peer sender does with messages it cannot deliver at once: raft's own messages are dropped (raft resends
 * them), a client proposal forwarded to the leader waits for the connection (nothing would resend it, and its client
 * would get "request timed out").
 */
class PeerSenderTest {
    private static final long SELF = 1;
    private static final long PEER = 2;
    /** Long enough for a cold JVM to start a server; the class's own default is shorter. */
    private static final long HOLD_MS = 30_000;

    @Test
    void aProposalForwardedBeforeThePeerListensArrivesOnceItDoesWhileRaftMessagesAreDropped() throws Exception {
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        CountDownLatch reportedUnreachable = new CountDownLatch(1);
        List<Message> received = new CopyOnWriteArrayList<>();
        CountDownLatch proposalArrived = new CountDownLatch(1);
        Message append = new Message.AppendRequest(SELF, PEER, 3, 10, 3, List.of(), 10);
        Message proposal = new Message.ProposalRequest(
                SELF, PEER, 0, List.of(new Entry(0, 0, EntryType.NORMAL, "put k v".getBytes(StandardCharsets.UTF_8))));
        try (PeerClients clients = new PeerClients(TlsSettings.NONE);
                PeerSender sender = new PeerSender(
                        7,
                        SELF,
                        PEER,
                        List.of(url),
                        clients::stub,
                        id -> reportedUnreachable.countDown(),
                        () -> {},
                        HOLD_MS)) {
            sender.offerAll(List.of(append, proposal));
            // the first connect is refused: the append goes, the peer is reported unreachable
            assertTrue(reportedUnreachable.await(10, TimeUnit.SECONDS), "the peer was never reported unreachable");

            Server peer = Server.builder()
                    .http(port)
                    .service(GrpcService.builder()
                            .addService(new Recording(received, proposalArrived))
                            .build())
                    .build();
            peer.start().join();
            try {
                assertTrue(
                        proposalArrived.await(HOLD_MS, TimeUnit.MILLISECONDS),
                        "the forwarded proposal never reached the peer that came up");
                assertEquals(
                        List.of(proposal.getClass()),
                        received.stream().map(Object::getClass).toList(),
                        "only the proposal is delivered: the append was stale");
                assertEquals(
                        "put k v",
                        new String(
                                ((Message.ProposalRequest) received.get(0))
                                        .entries()
                                        .get(0)
                                        .data(),
                                StandardCharsets.UTF_8));
            } finally {
                peer.stop().join();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A peer that records the raft messages it is sent. */
    private static final class Recording extends PeerGrpc.PeerImplBase {
        private final List<Message> received;
        private final CountDownLatch proposalArrived;

        Recording(List<Message> received, CountDownLatch proposalArrived) {
            this.received = received;
            this.proposalArrived = proposalArrived;
        }

        @Override
        public StreamObserver<RaftBatch> send(StreamObserver<SendSummary> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(RaftBatch batch) {
                    for (var bytes : batch.getMessagesList()) {
                        Message m = RaftCodec.decode(bytes.toByteArray());
                        received.add(m);
                        if (m instanceof Message.ProposalRequest) {
                            proposalArrived.countDown();
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    out.onNext(SendSummary.getDefaultInstance());
                    out.onCompleted();
                }
            };
        }
    }
}
