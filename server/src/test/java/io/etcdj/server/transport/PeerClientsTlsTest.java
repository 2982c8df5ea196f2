package io.etcdj.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdj.api.peer.ClusterInfoRequest;
import io.etcdj.api.peer.ClusterInfoResponse;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.http.TlsSettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real TLS handshakes from {@link PeerClients} to a peer whose server certificate is self-signed (--peer-auto-tls on
 * its side): with a certificate and key but no --peer-trusted-ca-file the dialer checks the peer against the system's
 * roots and refuses it, as etcd does; only --peer-auto-tls skips the check.
 */
class PeerClientsTlsTest {
    static final Path FIXTURES = Path.of("/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures");
    private static Server selfSigned;

    @BeforeAll
    static void start() {
        ServerBuilder sb = Server.builder().https(0);
        ClientPort.configureTls(sb, new TlsSettings(null, null, null, false, true));
        selfSigned = sb.service(GrpcService.builder()
                        .addService(new PeerGrpc.PeerImplBase() {
                            @Override
                            public void clusterInfo(ClusterInfoRequest r, StreamObserver<ClusterInfoResponse> out) {
                                out.onNext(ClusterInfoResponse.newBuilder()
                                        .setClusterId(7)
                                        .build());
                                out.onCompleted();
                            }
                        })
                        .build())
                .build();
        selfSigned.start().join();
    }

    @AfterAll
    static void stop() {
        if (selfSigned != null) {
            selfSigned.stop().join();
        }
    }

    private static ClusterInfoResponse ask(TlsSettings tls) {
        try (PeerClients clients = new PeerClients(tls)) {
            return clients.blockingStub("https://127.0.0.1:" + selfSigned.activeLocalPort(SessionProtocol.HTTPS))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .clusterInfo(ClusterInfoRequest.getDefaultInstance());
        }
    }

    @Test
    void withACertificateButNoTrustedCaASelfSignedPeerIsRefused() {
        Assumptions.assumeTrue(
                Files.isDirectory(FIXTURES), "etcd's TLS fixtures are missing: apt-get install golang-etcd-server-dev");
        TlsSettings certNoCa = new TlsSettings(
                FIXTURES.resolve("server.crt"), FIXTURES.resolve("server.key.insecure"), null, false, false);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ask(certNoCa));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        boolean handshake = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            handshake |= t instanceof javax.net.ssl.SSLException;
        }
        assertTrue(handshake, "refused by the certificate check, not for another reason: " + e);
    }

    @Test
    void withPeerAutoTlsTheSelfSignedPeerIsAccepted() {
        assertEquals(7, ask(new TlsSettings(null, null, null, false, true)).getClusterId());
    }
}
