package io.etcdj.server.http.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.common.Failpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After a fatal failure the member's store still answers reads, but /livez, /readyz and /health fail at once. */
class FatalHealthTest {
    @TempDir
    Path dir;

    EtcdjServer server;

    @AfterEach
    void stop() {
        Failpoints.disarmAll();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void livezFailsOnceTheApplyThreadHitAnError() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        String base = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertEquals(200, get(http, base + "/livez").statusCode());
        Failpoints.arm("applyBeforeCommit=error", () -> {});
        HttpResponse<String> put = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"YQ==\",\"value\":\"Yg==\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(put.body().contains("server stopped"), put.body());
        server.failure().get(20, TimeUnit.SECONDS);
        HttpResponse<String> livez = get(http, base + "/livez");
        assertEquals(503, livez.statusCode());
        assertEquals("[-]serializable_read failed: etcdserver: server stopped\n\n", livez.body());
        assertEquals(503, get(http, base + "/readyz").statusCode());
        assertEquals(503, get(http, base + "/health?serializable=true").statusCode());
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
