package io.etcdj.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real TLS handshakes against a listener set up by {@link ClientPort#configureTls}, with etcd's own test certificates:
 * server-revoked.crt is listed in revoke.crl, server2.crt has the CN example2.com.
 */
class ClientCertificateChecksTest {
    static final Path FIXTURES = Path.of("/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures");
    private static Server withCrl;
    private static Server withAllowedCn;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(
                Files.isDirectory(FIXTURES), "etcd's TLS fixtures are missing: apt-get install golang-etcd-server-dev");
        withCrl = serve(new TlsSettings(
                fixture("server.crt"),
                fixture("server.key.insecure"),
                fixture("ca.crt"),
                true,
                false,
                fixture("revoke.crl"),
                null,
                null,
                List.of()));
        withAllowedCn = serve(new TlsSettings(
                fixture("server.crt"),
                fixture("server.key.insecure"),
                fixture("ca.crt"),
                true,
                false,
                null,
                "example.com",
                null,
                List.of()));
    }

    @AfterAll
    static void stop() {
        for (Server s : new Server[] {withCrl, withAllowedCn}) {
            if (s != null) {
                s.stop().join();
            }
        }
    }

    static Path fixture(String name) {
        return FIXTURES.resolve(name);
    }

    static Server serve(TlsSettings tls) {
        ServerBuilder sb = Server.builder().https(0);
        ClientPort.configureTls(sb, tls);
        Server s = sb.service("/", (ctx, req) -> HttpResponse.of("ok")).build();
        s.start().join();
        return s;
    }

    /** GET / over TLS, presenting {@code cert}; the body, or the failure. */
    static String get(Server server, String cert) {
        Consumer<io.netty.handler.ssl.SslContextBuilder> trustCa =
                ssl -> ssl.trustManager(fixture("ca.crt").toFile());
        try (ClientFactory f = ClientFactory.builder()
                .tls(
                        fixture(cert + ".crt").toFile(),
                        fixture(cert + ".key.insecure").toFile())
                .tlsCustomizer(trustCa)
                .build()) {
            return WebClient.builder("https://127.0.0.1:" + server.activeLocalPort(SessionProtocol.HTTPS))
                    .factory(f)
                    .build()
                    .get("/")
                    .aggregate()
                    .join()
                    .contentUtf8();
        }
    }

    @Test
    void aCertificateListedInTheCrlIsRefusedAndOthersAreNot() {
        assertThrows(Exception.class, () -> get(withCrl, "server-revoked"));
        assertEquals("ok", get(withCrl, "server"));
    }

    @Test
    void onlyTheAllowedCommonNameIsAccepted() {
        assertThrows(Exception.class, () -> get(withAllowedCn, "server2"));
        assertEquals("ok", get(withAllowedCn, "server"));
    }

    @Test
    void hostNamesMatchTheSubjectAlternativeNamesAsGoMatchesThem() throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(fixture("server.crt"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertTrue(CertificateChecks.validFor(cert, "localhost"));
        assertTrue(CertificateChecks.validFor(cert, "LOCALHOST."));
        assertTrue(CertificateChecks.validFor(cert, "127.0.0.1"));
        assertFalse(CertificateChecks.validFor(cert, "example.com")); // the CN is not a host name, as in Go
        assertFalse(CertificateChecks.validFor(cert, "127.0.0.2"));
        assertEquals("example.com", CertificateChecks.commonName(cert));
    }

    @Test
    void refusedHandshakesAreReportedInGosWords() {
        assertEquals(
                "remote error: tls: bad certificate",
                RejectedConnections.goText(new javax.net.ssl.SSLHandshakeException(
                        "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE")));
        assertEquals(
                "remote error: tls: unknown certificate authority",
                RejectedConnections.goText(
                        new javax.net.ssl.SSLHandshakeException("Received fatal alert: unknown_ca")));
        javax.net.ssl.SSLHandshakeException ours =
                new javax.net.ssl.SSLHandshakeException("General OpenSslEngine problem");
        ours.initCause(new java.security.cert.CertificateException(CertificateChecks.IDENTITY_REFUSED));
        assertEquals("client certificate authentication failed", RejectedConnections.goText(ours));
    }
}
