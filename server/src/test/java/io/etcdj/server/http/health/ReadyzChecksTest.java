package io.etcdj.server.http.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.etcdj.api.etcdserverpb.AlarmType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * etcd 3.6's health endpoints against a stand-in member: a learner is not ready, every check is counted, and /health
 * says why it fails.
 */
class ReadyzChecksTest {
    private volatile boolean learner;
    private volatile boolean hasLeader = true;
    private volatile List<AlarmType> alarms = List.of();
    private final Map<String, Integer> counted = new ConcurrentHashMap<>();
    private Server server;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() {
        MemberProbes probes = new MemberProbes() {
            @Override
            public List<AlarmType> alarms() {
                return alarms;
            }

            @Override
            public boolean hasLeader() {
                return hasLeader;
            }

            @Override
            public CompletableFuture<?> read(boolean serializable, Executor loop) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean learner() {
                return learner;
            }
        };
        HealthCounters counters = new HealthCounters() {
            @Override
            public void healthSucceeded() {}

            @Override
            public void healthFailed() {}

            @Override
            public void checkDone(String type, String name, boolean passed) {
                counted.merge(type + "/" + name + "/" + (passed ? "success" : "error"), 1, Integer::sum);
            }
        };
        ServerBuilder sb = Server.builder().http(0);
        new HealthEndpoints(probes, Duration.ofSeconds(5), counters, true).install(sb, UnaryOperator.identity());
        server = sb.build();
        server.start().join();
    }

    @AfterEach
    void stop() {
        server.stop().join();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.activeLocalPort(SessionProtocol.HTTP) + path);
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLearnerIsLiveButNotReady() throws Exception {
        learner = true;
        HttpResponse<String> ready = get("/readyz");
        assertEquals(503, ready.statusCode());
        assertEquals(
                "[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n"
                        + "[-]non_learner failed: not supported for learner\n\n",
                ready.body());
        HttpResponse<String> one = get("/readyz/non_learner");
        assertEquals(503, one.statusCode());
        assertEquals("[-]non_learner failed: not supported for learner\n\n", one.body());
        assertEquals(200, get("/readyz?exclude=non_learner").statusCode());
        assertEquals("ok\n", get("/livez").body());
        learner = false;
        assertEquals("ok\n", get("/readyz").body());
    }

    @Test
    void everyCheckRunIsCounted() throws Exception {
        get("/readyz");
        learner = true;
        get("/readyz/non_learner");
        get("/livez");
        assertEquals(1, counted.get("readyz/non_learner/success"));
        assertEquals(1, counted.get("readyz/non_learner/error"));
        assertEquals(1, counted.get("readyz/linearizable_read/success"));
        assertEquals(1, counted.get("livez/serializable_read/success"));
        assertTrue(!counted.containsKey("readyz/data_corruption/error"));
    }

    @Test
    void healthSaysWhyAs35AndLaterDo() throws Exception {
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", get("/health").body());
        hasLeader = false;
        HttpResponse<String> noLeader = get("/health");
        assertEquals(503, noLeader.statusCode());
        assertEquals("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n", noLeader.body());
        assertEquals(200, get("/health?serializable=true").statusCode());
        alarms = List.of(AlarmType.NOSPACE);
        assertEquals(
                "{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n",
                get("/health?serializable=true").body());
        assertEquals(200, get("/health?serializable=true&exclude=NOSPACE").statusCode());
    }
}
