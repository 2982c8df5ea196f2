package io.etcdj.server.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.server.http.gateway.GatewayRoutes;
import io.etcdj.server.http.gateway.JsonGateway;
import io.etcdj.server.http.gateway.LocalMethods;
import io.etcdj.server.http.health.GetOnly;
import io.etcdj.server.http.health.HealthEndpoints;
import io.etcdj.server.http.health.MemberProbes;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The client port: etcd's gRPC services and its HTTP endpoints on the same listeners, as etcd serves them.
 * Each --listen-client-urls URL becomes one listener (http:// plain, https:// with the client TLS settings).
 */
public final class ClientPort implements AutoCloseable {
    /** etcd lets a gRPC message exceed --max-request-bytes by this much before gRPC itself refuses it. */
    static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

    private final Server server;
    private final TlsSettings tls;
    private final HealthEndpoints health;
    private final MemberHttp http;
    /** Listeners of --listen-metrics-urls; written once by {@link #serveMetricsOn}, before close. */
    private volatile Server metricsServer;

    private ClientPort(Server server, TlsSettings tls, HealthEndpoints health, MemberHttp http) {
        this.server = server;
        this.tls = tls;
        this.health = health;
        this.http = http;
    }

    /**
     * Binds every URL and starts serving gRPC (every call going through {@code interceptors}), etcd's JSON gateway
     * unless {@code grpcGateway} is false (--enable-grpc-gateway=false: /v3/ and /v3beta/ then answer 404 as etcd's),
     * /health, /livez, /readyz, /version and, when {@code http} has them, /metrics and the web console (/ui/).
     */
    public static ClientPort start(
            List<URI> listenUrls,
            TlsSettings tls,
            List<BindableService> services,
            List<ServerInterceptor> interceptors,
            int maxRequestBytes,
            long maxConcurrentStreams,
            boolean grpcGateway,
            MemberHttp http) {
        return start(
                listenUrls,
                tls,
                services,
                interceptors,
                maxRequestBytes,
                maxConcurrentStreams,
                grpcGateway,
                http,
                Function.identity());
    }

    /**
     * As {@link #start(List, TlsSettings, List, List, int, long, boolean, MemberHttp)}, with every call passing
     * through {@code decorator} first (an embedding JVM holds a paused member's calls there).
     */
    public static ClientPort start(
            List<URI> listenUrls,
            TlsSettings tls,
            List<BindableService> services,
            List<ServerInterceptor> interceptors,
            int maxRequestBytes,
            long maxConcurrentStreams,
            boolean grpcGateway,
            MemberHttp http,
            Function<? super HttpService, ? extends HttpService> decorator) {
        ServerBuilder sb = ServerBuilders.create();
        sb.decorator(decorator);
        bind(sb, listenUrls, tls);
        GrpcServiceBuilder grpc = GrpcService.builder()
                // binary protobuf only: building JSON marshallers for every etcd message costs seconds at start-up
                .supportedSerializationFormats(GrpcSerializationFormats.PROTO)
                .maxRequestMessageLength(maxRequestBytes + GRPC_OVERHEAD_BYTES)
                .maxResponseMessageLength(Integer.MAX_VALUE)
                .useBlockingTaskExecutor(false);
        services.forEach(grpc::addService);
        grpc.intercept(interceptors);
        int maxMessageBytes = maxRequestBytes + GRPC_OVERHEAD_BYTES;
        sb.service(grpc.build(), service -> limitRequests(service, maxMessageBytes))
                .maxRequestLength(0) // bounded per request by limitRequests (GrpcReceiveLimit)
                .requestTimeoutMillis(0) // watch and keep-alive streams live as long as the client wants
                .idleTimeoutMillis(0)
                .gracefulShutdownTimeoutMillis(0, 0) // stop at once: clients retry elsewhere, as with etcd
                .http2MaxStreamsPerConnection(
                        maxConcurrentStreams > 0 && maxConcurrentStreams < 0xFFFFFFFFL
                                ? maxConcurrentStreams
                                : 0xFFFFFFFFL);
        HttpService gatewayWithCors = Cors.wrap(
                grpcGateway
                        ? new JsonGateway(
                                GatewayRoutes.of(LocalMethods.of(services, interceptors)), maxConcurrentStreams)
                        : (ctx, req) -> HttpResponse.of(
                                HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, "404 page not found\n"));
        sb.serviceUnder("/v3/", gatewayWithCors).serviceUnder("/v3beta/", gatewayWithCors);
        // health reads skip the interceptors, as etcd's check reads below its gRPC layer: a learner's /health is
        // not refused by the learner guard, and probes are not counted as client calls
        LocalMethods bare = LocalMethods.of(services, List.of());
        HealthEndpoints health = new HealthEndpoints(
                MemberProbes.of(bare, http.hasLeader(), http.alarms(), http.failed(), http.learner(), http.asMember()),
                http.requestTimeout(),
                http.healthCounters());
        health.install(sb, Cors::wrap);
        sb.service("/version", Cors.wrap(GetOnly.wrap(VersionEndpoint.INSTANCE)));
        if (http.console() != null) {
            sb.serviceUnder("/ui/", http.console());
            sb.service(
                    "/ui",
                    (ctx, req) -> HttpResponse.of(ResponseHeaders.of(
                            HttpStatus.TEMPORARY_REDIRECT,
                            HttpHeaderNames.LOCATION,
                            "/ui/"))); // relative module paths resolve under /ui/
        }
        if (http.metrics() != null) {
            sb.service("/metrics", Cors.wrap(http.metrics()));
        }
        Server server = sb.build();
        server.start().join();
        return new ClientPort(server, tls, health, http);
    }

    /**
     * The long-lived streams: their messages come in bursts, each burst leaves in one write ({@link CoalescedStream});
     * and the HTTP request length limit, which counts every byte a request stream ever sends, does not apply to them
     * (a keep-alive stream open for days sends megabytes in small requests): each message is still held to the gRPC
     * message limit.
     */
    private static final Set<String> LONG_LIVED_STREAMS = Set.of(
            "/" + WatchGrpc.getWatchMethod().getFullMethodName(),
            "/" + LeaseGrpc.getLeaseKeepAliveMethod().getFullMethodName());

    private static HttpService limitRequests(HttpService grpc, int maxMessageBytes) {
        return grpc.decorate((delegate, ctx, req) -> {
            if (!LONG_LIVED_STREAMS.contains(ctx.path())) {
                return delegate.serve(ctx, GrpcReceiveLimit.apply(req, maxMessageBytes));
            }
            ctx.setMaxRequestLength(0);
            return CoalescedStream.of(delegate.serve(ctx, req), ctx);
        });
    }

    /**
     * Serves /metrics and the health endpoints, and nothing else, on {@code urls} (--listen-metrics-urls; https with
     * the client TLS settings, as etcd does).
     */
    public synchronized void serveMetricsOn(List<URI> urls) {
        if (urls.isEmpty() || metricsServer != null) {
            return;
        }
        ServerBuilder sb = ServerBuilders.create();
        bind(sb, urls, tls);
        health.install(sb, svc -> svc); // etcd's metrics listener adds no CORS headers
        if (http.metrics() != null) {
            sb.service("/metrics", http.metrics());
        }
        // its own (unexported) registry for Armeria's meters: the client port already registered the shared ones
        Server s = sb.gracefulShutdownTimeoutMillis(0, 1000)
                .meterRegistry(new CompositeMeterRegistry())
                .build();
        s.start().join();
        metricsServer = s;
    }

    /** Adds a listener per host:port of {@code urls}: http, https, or both on one port when both are named. */
    private static void bind(ServerBuilder sb, List<URI> urls, TlsSettings tls) {
        // etcd serves http and https on one port when both schemes name the same host:port
        Map<InetSocketAddress, Set<SessionProtocol>> ports = new LinkedHashMap<>();
        boolean anyHttps = false;
        for (URI url : urls) {
            String scheme = url.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("listen URL " + url + ": etcdj serves http:// and https:// client"
                        + " URLs; unix sockets are not supported yet");
            }
            boolean https = "https".equals(scheme);
            if (https && !tls.hasCertificate()) {
                throw new IllegalArgumentException("listen URL " + url + " is https but no certificate is given:"
                        + " set --cert-file and --key-file, or --auto-tls");
            }
            anyHttps |= https;
            ports.computeIfAbsent(new InetSocketAddress(url.getHost(), url.getPort()), a -> new LinkedHashSet<>())
                    .add(https ? SessionProtocol.HTTPS : SessionProtocol.HTTP);
        }
        ports.forEach((addr, protocols) -> sb.port(addr, protocols));
        if (anyHttps) {
            configureTls(sb, tls);
        }
    }

    /**
     * Serves TLS with {@code tls}: its certificate (or a self-signed one), TLS 1.2 and 1.3 only (etcd's minimum is
     * 1.2), its cipher suites, and client certificates as it asks, checked by {@link CertificateChecks} (chain, CRL,
     * allowed CN or host name). Refused handshakes are logged as etcd logs them ({@link RejectedConnections}).
     */
    public static void configureTls(ServerBuilder sb, TlsSettings tls) {
        if (tls.certFile() != null && tls.keyFile() != null) {
            sb.tls(tls.certFile().toFile(), tls.keyFile().toFile());
        } else {
            sb.tls(selfSigned());
        }
        // with a CA but without --client-cert-auth a certificate is asked for, and checked when one comes
        CertificateChecks checks =
                tls.trustedCaFile() != null || tls.clientCertAuth() ? CertificateChecks.of(tls) : null;
        List<String> ciphers = CipherSuiteChoice.withTls13(tls.cipherSuites());
        if (!ciphers.isEmpty()) {
            sb.tlsAllowUnsafeCiphers(); // the operator's choice, as etcd allows (CBC suites are not HTTP/2-approved)
        }
        sb.tlsCustomizer(ssl -> {
            if (checks != null) {
                ssl.trustManager(checks);
                ssl.clientAuth(tls.clientCertAuth() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            CipherSuiteChoice.apply(ssl, ciphers);
        });
        sb.childChannelPipelineCustomizer(p -> p.addLast(RejectedConnections.INSTANCE));
    }

    /**
     * A self-signed certificate for --auto-tls, kept in memory. Netty writes the pair to two files in the temporary
     * directory and deletes them only at a clean JVM exit, so every killed member used to leave two behind: they are
     * deleted here as soon as they are read.
     */
    private static TlsKeyPair selfSigned() {
        SelfSignedCertificate ssc;
        try {
            ssc = new SelfSignedCertificate();
        } catch (CertificateException e) {
            throw new IllegalStateException("--auto-tls: cannot make a self-signed certificate: " + e.getMessage(), e);
        }
        try {
            return TlsKeyPair.of(ssc.key(), ssc.cert());
        } finally {
            ssc.delete();
        }
    }

    /** The port actually bound for {@code protocol} (useful when a URL asked for port 0). */
    public int activePort(SessionProtocol protocol) {
        return server.activeLocalPort(protocol);
    }

    /** {@code urls} with each port 0 replaced by the port this port's listener got for that URL's scheme. */
    public List<URI> bound(List<URI> urls) {
        return urls.stream()
                .map(u -> u.getPort() != 0
                        ? u
                        : withPort(
                                u,
                                activePort(
                                        "https".equals(u.getScheme()) ? SessionProtocol.HTTPS : SessionProtocol.HTTP)))
                .toList();
    }

    private static URI withPort(URI u, int port) {
        try {
            return new URI(
                    u.getScheme(), u.getUserInfo(), u.getHost(), port, u.getPath(), u.getQuery(), u.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The port the metrics listener bound for {@code protocol}; -1 without one. */
    public int metricsPort(SessionProtocol protocol) {
        Server s = metricsServer;
        return s == null ? -1 : s.activeLocalPort(protocol);
    }

    /**
     * Starts closing the listeners and completes once they are closed (Armeria takes a second or so per server to
     * wind down its event loops: callers overlap that with the rest of their shutdown).
     */
    public synchronized CompletableFuture<Void> stop() {
        CompletableFuture<?> metrics =
                metricsServer != null ? metricsServer.stop() : CompletableFuture.completedFuture(null);
        return CompletableFuture.allOf(metrics, server.stop());
    }

    @Override
    public void close() {
        stop().join();
    }
}
