package io.etcdj.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --max-concurrent-streams caps the gateway's calls in progress, as etcd's gateway connection is capped. */
class GatewayStreamLimitTest {
    @TempDir
    Path dir;

    EtcdjServer server;
    String base;
    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        MemberConfig single = MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0"));
        MemberConfig limited = new MemberConfig(
                single.name(),
                single.dataDir(),
                null,
                single.listenClientUrls(),
                single.advertiseClientUrls(),
                single.initialAdvertisePeerUrls(),
                single.initialCluster(),
                single.initialClusterToken(),
                false,
                single.snapshotCount(),
                single.maxTxnOps(),
                single.maxRequestBytes(),
                2,
                single.electionTimeoutMs(),
                single.clientTls(),
                single.watchProgressNotifyInterval());
        server = EtcdjServer.start(limited);
        base = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Opens a watch and returns once its created response arrived. */
    private HttpResponse<InputStream> openWatch() throws Exception {
        HttpResponse<InputStream> w = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v3/watch"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\":{\"key\":\"Zm9v\"}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String created = new BufferedReader(new InputStreamReader(w.body(), StandardCharsets.UTF_8)).readLine();
        assertTrue(created.contains("\"created\":true"), created);
        return w;
    }

    @Test
    void aRequestWaitsWhileTheLimitIsTakenByWatches() throws Exception {
        List<HttpResponse<InputStream>> watches = List.of(openWatch(), openWatch());
        CompletableFuture<HttpResponse<String>> range = http.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/v3/kv/range"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"Zm9v\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThrows(TimeoutException.class, () -> range.get(1, TimeUnit.SECONDS), "served beyond the limit");
        assertFalse(range.isDone());
        watches.get(0).body().close(); // the client leaves: its slot frees
        HttpResponse<String> r = range.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        watches.get(1).body().close();
    }
}
