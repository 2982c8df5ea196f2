package io.etcdj.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.common.Versions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client port's HTTP side on an in-process member: health endpoints, /version, the JSON gateway. */
class HttpEndpointsTest {
    @TempDir
    Path dir;

    EtcdjServer server;
    HttpClient http;
    String base;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        base = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** /health's body for the etcd version etcdj answers as: 3.4's without the reason, 3.5+'s with it. */
    private static String health(boolean healthy, String reason) {
        return Versions.AT_LEAST_36
                ? "{\"health\":\"" + healthy + "\",\"reason\":\"" + reason + "\"}"
                : "{\"health\":\"" + healthy + "\"}";
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsAQuorumReadAndAnswersEtcdsShape() throws Exception {
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode());
        assertEquals(health(true, ""), r.body());
        assertEquals(
                health(true, ""),
                get("/health?serializable=true&exclude=NOSPACE").body());
        HttpResponse<String> post = post("/health", "");
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("allow").orElse(""));
    }

    @Test
    void alarmsMakeTheMemberUnhealthyUnlessExcluded() throws Exception {
        String memberId = Long.toUnsignedString(server.identity().memberId());
        HttpResponse<String> raise = post(
                "/v3/maintenance/alarm",
                "{\"action\":\"ACTIVATE\",\"memberID\":\"" + memberId + "\",\"alarm\":\"NOSPACE\"}");
        assertEquals(200, raise.statusCode(), raise.body());
        HttpResponse<String> health = get("/health");
        assertEquals(503, health.statusCode());
        assertEquals(health(false, "ALARM NOSPACE") + "\n", health.body());
        assertEquals(200, get("/health?exclude=NOSPACE").statusCode());
        assertEquals("ok\n", get("/readyz").body()); // readyz looks only for data corruption
        post(
                "/v3/maintenance/alarm",
                "{\"action\":\"ACTIVATE\",\"memberID\":\"" + memberId + "\",\"alarm\":\"CORRUPT\"}");
        HttpResponse<String> ready = get("/readyz");
        assertEquals(503, ready.statusCode());
        assertEquals(
                "[-]data_corruption failed: alarm activated: CORRUPT\n[+]serializable_read ok\n"
                        + "[+]linearizable_read ok\n[+]non_learner ok\n\n",
                ready.body());
        assertEquals("ok\n", get("/livez").body());
    }

    @Test
    void healthProbesReadAsTheMemberWithAuthOn() throws Exception {
        assertEquals(200, post("/v3/auth/role/add", "{\"name\":\"root\"}").statusCode());
        assertEquals(
                200,
                post("/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"pw\"}")
                        .statusCode());
        assertEquals(
                200,
                post("/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}")
                        .statusCode());
        assertEquals(200, post("/v3/auth/enable", "{}").statusCode());
        HttpResponse<String> anonymousRead = post("/v3/kv/range", "{\"key\":\"YQ==\"}");
        assertTrue(anonymousRead.body().contains("user name is empty"), anonymousRead.body());
        // etcd 3.6 probes as root: auth on does not make the member unhealthy
        assertEquals(health(true, ""), get("/health").body());
        assertEquals(
                "[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n",
                get("/readyz?verbose").body());
        assertEquals("ok\n", get("/livez").body());
    }

    @Test
    void livezAndReadyzRunTheirChecks() throws Exception {
        assertEquals("ok\n", get("/livez").body());
        assertEquals("[+]serializable_read ok\nok\n", get("/livez?verbose").body());
        assertEquals(
                "[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n",
                get("/readyz?verbose").body());
        assertEquals(
                "[+]serializable_read ok\nok\n",
                get("/readyz?verbose&exclude=data_corruption"
                                + "&exclude=linearizable_read&exclude=non_learner&exclude=no_such_check")
                        .body());
        HttpResponse<String> one = get("/readyz/linearizable_read?verbose");
        assertEquals(200, one.statusCode());
        assertEquals("[+]linearizable_read ok\nok\n", one.body());
        // etcd 3.6's per-check metrics
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("etcd_server_healthcheck{name=\"non_learner\",type=\"readyz\"} 1"), metrics);
        assertTrue(
                metrics.lines()
                        .anyMatch(
                                l -> l.startsWith(
                                        "etcd_server_healthchecks_total{name=\"serializable_read\",status=\"success\",type=\"livez\"}")),
                metrics);
    }

    @Test
    void versionIsEtcdsJson() throws Exception {
        assertEquals(
                "{\"etcdserver\":\"" + Versions.ETCD_SERVER + "\",\"etcdcluster\":\"" + Versions.ETCD_CLUSTER
                        + "\",\"storage\":\"" + Versions.STORAGE + "\"}",
                get("/version").body());
        assertEquals(405, post("/version", "").statusCode());
    }

    @Test
    void gatewayPutsAndReadsUnderV3AndV3beta() throws Exception {
        HttpResponse<String> put = post("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
        assertEquals(200, put.statusCode());
        assertTrue(put.body().contains("\"revision\":\"2\""), put.body());
        HttpResponse<String> range = post("/v3beta/kv/range", "{\"key\":\"Zm9v\"}");
        assertTrue(
                range.body()
                        .contains("\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"2\","
                                + "\"version\":\"1\",\"value\":\"YmFy\"}],\"count\":\"1\""),
                range.body());
        HttpResponse<String> txn = post(
                "/v3/kv/txn",
                "{\"compare\":[{\"key\":\"YmF6\",\"result\":\"EQUAL\","
                        + "\"target\":\"CREATE\",\"create_revision\":\"0\"}],\"success\":[{\"request_put\":{\"key\":\"YmF6\","
                        + "\"value\":\"MQ==\"}}]}");
        assertTrue(
                txn.body()
                        .endsWith("\"succeeded\":true,\"responses\":[{\"response_put\":{\"header\":"
                                + "{\"revision\":\"3\"}}}]}"),
                txn.body());
    }

    @Test
    void httpAnswersCarryEtcdsCorsHeaders() throws Exception {
        HttpResponse<String> range = post("/v3/kv/range", "{\"key\":\"Zm9v\"}");
        assertEquals(
                "*", range.headers().firstValue("access-control-allow-origin").orElse(""));
        assertEquals(
                "POST, GET, OPTIONS, PUT, DELETE",
                range.headers().firstValue("access-control-allow-methods").orElse(""));
        assertEquals(
                "*",
                get("/health")
                        .headers()
                        .firstValue("access-control-allow-origin")
                        .orElse(""));
        HttpResponse<String> options = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, options.statusCode());
        assertEquals("", options.body());
        assertEquals(
                "accept, content-type, authorization",
                options.headers().firstValue("access-control-allow-headers").orElse(""));
    }

    @Test
    void gatewayErrorsHaveEtcdsShape() throws Exception {
        HttpResponse<String> noKey = post("/v3/kv/put", "{}");
        assertEquals(400, noKey.statusCode());
        assertEquals(
                "{\"error\":\"etcdserver: key is not provided\",\"message\":\"etcdserver: key is not provided\","
                        + "\"code\":3}",
                noKey.body());
        HttpResponse<String> resign = post("/v3/election/resign", "{}");
        assertEquals(500, resign.statusCode());
        assertEquals(
                "{\"error\":\"\\\"leader\\\" field must be provided\",\"message\":\"\\\"leader\\\" field must be"
                        + " provided\",\"code\":2}",
                resign.body());
        assertEquals(404, post("/v3/kv/nothing", "{}").statusCode());
        assertEquals(405, get("/v3/kv/range").statusCode());
        assertEquals(400, post("/v3/kv/range", "notjson").statusCode());
    }

    @Test
    void watchStreamsResultsFromTheRequestBody() throws Exception {
        post("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
        HttpResponse<InputStream> watch = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v3/watch"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"create_request\":{\"key\":\"Zm9v\",\"start_revision\":1}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
            String created = lines.readLine();
            assertTrue(
                    created.startsWith("{\"result\":{\"header\":") && created.endsWith("\"created\":true}}"), created);
            String event = lines.readLine();
            assertTrue(
                    event.endsWith("\"events\":[{\"kv\":{\"key\":\"Zm9v\",\"create_revision\":\"2\","
                            + "\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"YmFy\"}}]}}"),
                    event);
            // a write made while the stream is open arrives on it
            post("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmF6\"}");
            String live = lines.readLine();
            assertTrue(live.contains("\"value\":\"YmF6\""), live);
        }
    }

    @Test
    void leaseKeepAliveStreamsAnAnswerPerRequest() throws Exception {
        post("/v3/lease/grant", "{\"ID\":\"42\",\"TTL\":\"60\"}");
        HttpResponse<InputStream> ka = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v3/lease/keepalive"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ID\":\"42\"} {\"ID\":\"42\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(ka.body(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 2; i++) {
                String line = lines.readLine();
                assertTrue(
                        line.startsWith("{\"result\":{\"header\":") && line.endsWith("\"ID\":\"42\",\"TTL\":\"60\"}}"),
                        line);
            }
        }
    }
}
