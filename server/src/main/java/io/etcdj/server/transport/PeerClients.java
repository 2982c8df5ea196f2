package io.etcdj.server.transport;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.HttpClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.etcdj.api.peer.PeerGrpc;
import io.etcdj.server.http.CertificateChecks;
import io.etcdj.server.http.CipherSuiteChoice;
import io.etcdj.server.http.TlsSettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.TrustManager;

/**
 * gRPC stubs for talking to peers, one per peer URL, over one client factory that carries the peer TLS settings:
 * this member's certificate (presented to peers that ask for one), the CA that peers' certificates must chain to (the
 * system's roots when none is given), and, with --peer-auto-tls, no verification (as etcd's auto TLS). Thread-safe.
 */
final class PeerClients implements AutoCloseable {
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    private final TlsSettings peerTls;
    /** Decorates every stub's calls (an embedding's network faults). */
    private final Function<? super HttpClient, ? extends HttpClient> calls;

    private final boolean tls;
    /**
     * Built at once with TLS (a bad certificate fails the start), else null until the first stub: a one-member
     * cluster never needs one, and the first factory costs a cold JVM ~0.5 s (Armeria builds its default factory,
     * TLS contexts and DNS resolver with it). Guarded by this.
     */
    private ClientFactory factory;
    /** Set by {@link #close}. Guarded by this. */
    private boolean closed;

    private final Map<String, PeerGrpc.PeerStub> async = new ConcurrentHashMap<>();
    private final Map<String, PeerGrpc.PeerBlockingStub> blocking = new ConcurrentHashMap<>();

    PeerClients(TlsSettings peerTls) {
        this(peerTls, Function.identity());
    }

    PeerClients(TlsSettings peerTls, Function<? super HttpClient, ? extends HttpClient> calls) {
        this.peerTls = peerTls;
        this.calls = calls;
        this.tls = peerTls.hasCertificate() || peerTls.trustedCaFile() != null;
        if (tls) {
            factory();
        }
    }

    private ClientFactory newFactory() {
        ClientFactoryBuilder b = ClientFactory.builder().idleTimeoutMillis(0).connectTimeoutMillis(1000);
        if (tls) {
            // the peer's server certificate: chain to the CA (the system's roots without --peer-trusted-ca-file,
            // as etcd's dialer: Go's nil RootCAs), and the allowed CN or host name (etcd's dialer checks it as its
            // listener does); no CRL on this side, as etcd. Only with --peer-auto-tls (a self-signed certificate
            // of our own, and no other) is nothing checked, as etcd's SelfCert does
            TrustManager checks = noVerification(peerTls) ? null : CertificateChecks.of(peerTls);
            List<String> ciphers = CipherSuiteChoice.withTls13(peerTls.cipherSuites());
            b.tlsCustomizer(ssl -> {
                if (peerTls.certFile() != null && peerTls.keyFile() != null) {
                    ssl.keyManager(
                            peerTls.certFile().toFile(), peerTls.keyFile().toFile());
                }
                if (checks != null) {
                    ssl.trustManager(checks);
                }
                CipherSuiteChoice.apply(ssl, ciphers);
            });
            if (!ciphers.isEmpty()) {
                b.tlsAllowUnsafeCiphers();
            }
            if (noVerification(peerTls)) {
                b.tlsNoVerify();
            }
        }
        return b.build();
    }

    private synchronized ClientFactory factory() {
        if (factory == null) {
            if (closed) {
                throw new IllegalStateException("peer clients closed");
            }
            factory = newFactory();
        }
        return factory;
    }

    /**
     * Whether peers' certificates go unchecked: with --peer-auto-tls only. (The CLI sets autoTls only when no
     * certificate was given, as etcd ignores auto TLS then.)
     */
    static boolean noVerification(TlsSettings peerTls) {
        return peerTls.autoTls();
    }

    /** The asynchronous stub for {@code url} (an http(s):// peer URL). */
    PeerGrpc.PeerStub stub(String url) {
        return async.computeIfAbsent(url, u -> build(u, PeerGrpc.PeerStub.class));
    }

    /** A blocking stub for {@code url}, for unary calls (callers set a deadline). */
    PeerGrpc.PeerBlockingStub blockingStub(String url) {
        return blocking.computeIfAbsent(url, u -> build(u, PeerGrpc.PeerBlockingStub.class));
    }

    private <T> T build(String url, Class<T> type) {
        // raft streams live as long as the connection: no response or write timeout
        return GrpcClients.builder(target(url))
                .factory(factory())
                .decorator(calls)
                .responseTimeoutMillis(0)
                .writeTimeoutMillis(0)
                .maxRequestMessageLength(MAX_MESSAGE_BYTES)
                .maxResponseMessageLength(MAX_MESSAGE_BYTES)
                .build(type);
    }

    /** etcd's peer URLs say http or https; the scheme the client uses follows them. */
    private static String target(String url) {
        URI u = URI.create(url);
        String scheme = switch (u.getScheme()) {
            case "https", "unixs" -> "https";
            default -> "http";
        };
        return scheme + "://" + u.getHost() + ":" + u.getPort();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (factory != null) {
            factory.close();
        }
    }
}
