package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.http.TlsSettings;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console on an https client URL: the page and its API come over the member's TLS listener. */
class ConsoleTlsTest {
    @TempDir
    Path dir;

    @Test
    void theConsoleIsServedOverTheClientPortsTls() throws Exception {
        MemberConfig s = MemberConfig.singleMember(dir, URI.create("https://127.0.0.1:0"));
        TlsSettings autoTls = new TlsSettings(null, null, null, false, true, null, null, null, List.of());
        MemberConfig tls = new MemberConfig(s.name(), s.dataDir(), s.walDir(), s.listenClientUrls(),
                s.advertiseClientUrls(), s.initialAdvertisePeerUrls(), s.initialCluster(), s.initialClusterToken(),
                s.joinExisting(), s.snapshotCount(), s.maxTxnOps(), s.maxRequestBytes(), s.maxConcurrentStreams(),
                s.electionTimeoutMs(), autoTls, s.watchProgressNotifyInterval(), s.listenPeerUrls(),
                s.heartbeatIntervalMs(), s.peerTls(), s.strictReconfigCheck(), s.preVote(), s.quotaBackendBytes(),
                s.initialCorruptCheck(), s.corruptCheckInterval(), s.grpcGateway(), true, s.auth());
        try (EtcdjServer server = EtcdjServer.start(tls)) {
            String base = "https://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTPS);
            SSLContext trustAll = SSLContext.getInstance("TLS");
            // an extended trust manager: the JDK then leaves the host name check to it (and it makes none)
            trustAll.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            HttpClient http = HttpClient.newBuilder().sslContext(trustAll).build(); // --auto-tls: self-signed
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("content-security-policy").isPresent());
            HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/api/v1/children"))
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, api.statusCode(), api.body());
            assertTrue(api.body().startsWith("{\"revision\":"), api.body());
        }
    }
}
