package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.http.TlsSettings;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console on an https client URL: the page and its API come over the member's TLS listener and its checks. */
class ConsoleTlsTest {
    @TempDir
    Path dir;

    @Test
    void theConsoleIsServedOverTheClientPortsTls() throws Exception {
        MemberConfig s = MemberConfig.singleMember(dir, URI.create("https://127.0.0.1:0"));
        TlsSettings autoTls = new TlsSettings(null, null, null, false, true, null, null, null, List.of());
        MemberConfig tls = s.withClientTls(autoTls);
        try (EtcdjServer server = EtcdjServer.start(tls)) {
            String base = "https://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTPS);
            SSLContext trustAll = SSLContext.getInstance("TLS");
            // an extended trust manager: the JDK then leaves the host name check to it (and it makes none)
            trustAll.init(
                    null,
                    new TrustManager[] {
                        new X509ExtendedTrustManager() {
                            @Override
                            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

                            @Override
                            public void checkClientTrusted(
                                    X509Certificate[] chain, String authType, SSLEngine engine) {}

                            @Override
                            public void checkServerTrusted(
                                    X509Certificate[] chain, String authType, SSLEngine engine) {}

                            @Override
                            public X509Certificate[] getAcceptedIssuers() {
                                return new X509Certificate[0];
                            }
                        }
                    },
                    null);
            HttpClient http = HttpClient.newBuilder().sslContext(trustAll).build(); // --auto-tls: self-signed
            HttpResponse<String> page = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/ui/"))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("content-security-policy").isPresent());
            HttpResponse<String> api = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/ui/api/v1/children"))
                            .timeout(Duration.ofSeconds(20))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, api.statusCode(), api.body());
            assertTrue(api.body().startsWith("{\"revision\":"), api.body());
        }
    }

    private static final Path FIXTURES = Path.of("/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures");

    /** With --client-cert-auth a browser's certificate names its user: the page needs no login for it. */
    @Test
    void aClientCertificateIdentifiesTheUserWithoutAToken() throws Exception {
        Assumptions.assumeTrue(
                Files.isDirectory(FIXTURES), "etcd's TLS fixtures are missing: apt-get install golang-etcd-server-dev");
        MemberConfig s = MemberConfig.singleMember(dir, URI.create("https://127.0.0.1:0"));
        TlsSettings certAuth = new TlsSettings(
                FIXTURES.resolve("server.crt"),
                FIXTURES.resolve("server.key.insecure"),
                FIXTURES.resolve("ca.crt"),
                true,
                false,
                null,
                null,
                null,
                List.of());
        MemberConfig tls = s.withClientTls(certAuth);
        try (EtcdjServer server = EtcdjServer.start(tls);
                // etcd's fixture client certificate, CN=example.com, signed by the fixtures' CA
                ClientFactory asRoot = ClientFactory.builder()
                        .tls(
                                FIXTURES.resolve("server.crt").toFile(),
                                FIXTURES.resolve("server.key.insecure").toFile())
                        .tlsCustomizer(ssl ->
                                ssl.trustManager(FIXTURES.resolve("ca.crt").toFile()))
                        .build()) {
            WebClient web = WebClient.builder(
                            "https://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTPS))
                    .factory(asRoot)
                    .build();
            for (String[] call : new String[][] {
                {"/v3/auth/role/add", "{\"name\":\"root\"}"},
                {"/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"pw\"}"},
                {"/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}"},
                {"/v3/auth/user/add", "{\"name\":\"example.com\",\"password\":\"pw\"}"},
                {"/v3/auth/user/grant", "{\"user\":\"example.com\",\"role\":\"root\"}"},
                {"/v3/auth/enable", "{}"}
            }) {
                AggregatedHttpResponse r =
                        web.post(call[0], call[1]).aggregate().join();
                assertEquals(200, r.status().code(), call[0] + " " + r.contentUtf8());
            }
            assertEquals(
                    "{\"auth_enabled\":true,\"user\":\"example.com\"}",
                    web.post("/ui/api/v1/whoami", "{}").aggregate().join().contentUtf8());
            AggregatedHttpResponse usage =
                    web.post("/ui/api/v1/usage", "{}").aggregate().join(); // root only
            assertEquals(200, usage.status().code(), usage.contentUtf8());
        }
    }
}
