package io.etcdj.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics on an in-process member: etcd's names, and counters that move with the requests made. */
class MetricsScrapeTest {
    @TempDir
    Path dir;

    EtcdjServer server;
    HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        base = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sample lines "name{labels} value" by name with labels; comments left out. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int sp = line.lastIndexOf(' ');
                samples.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return samples;
    }

    private void post(String path, String body) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void reportsLeadershipStoreAndRequests() throws Exception {
        Map<String, Double> before = scrape();
        post("/v3/kv/put", "{\"key\":\"YQ==\",\"value\":\"MQ==\"}");
        post("/v3/kv/put", "{\"key\":\"Yg==\",\"value\":\"MQ==\"}");
        post("/v3/kv/deleterange", "{\"key\":\"YQ==\"}");
        post("/v3/kv/put", "{}"); // refused: InvalidArgument
        http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> after = scrape();

        assertEquals(1.0, after.get("etcd_server_has_leader"));
        // the identity etcdj answers as (etcd 3.6's e2e suite reads these two)
        assertEquals(1.0, after.get("etcd_server_version{server_version=\"3.6.16\"}"));
        assertEquals(1.0, after.get("etcd_cluster_version{cluster_version=\"3.6\"}"));
        assertEquals(1.0, after.get("etcd_server_is_leader"));
        assertEquals(0.0, after.get("etcd_server_is_learner"));
        assertEquals(2.0, after.get("etcd_mvcc_put_total") - before.get("etcd_mvcc_put_total"));
        assertEquals(1.0, after.get("etcd_mvcc_delete_total") - before.get("etcd_mvcc_delete_total"));
        String putOk = "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Put\","
                + "grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}";
        String putBad = putOk.replace("\"OK\"", "\"InvalidArgument\"");
        assertEquals(2.0, after.get(putOk) - before.getOrDefault(putOk, 0.0));
        assertEquals(1.0, after.get(putBad) - before.getOrDefault(putBad, 0.0));
        // /health reads below the gRPC layer, as etcd's does: counted as a health check, not as a Range call
        String rangeStarted = "grpc_server_started_total{grpc_method=\"Range\",grpc_service=\"etcdserverpb.KV\","
                + "grpc_type=\"unary\"}";
        assertEquals(before.getOrDefault(rangeStarted, 0.0), after.getOrDefault(rangeStarted, 0.0));
        assertEquals(1.0, after.get("etcd_server_health_success") - before.get("etcd_server_health_success"));
        assertTrue(after.get("etcd_server_proposals_applied_total")
                >= before.get("etcd_server_proposals_applied_total") + 3);
        assertTrue(after.get("etcd_disk_wal_fsync_duration_seconds_count")
                > before.get("etcd_disk_wal_fsync_duration_seconds_count"));
        assertTrue(after.get("etcd_disk_backend_commit_duration_seconds_count")
                > before.get("etcd_disk_backend_commit_duration_seconds_count"));
        assertTrue(after.get("etcd_mvcc_db_total_size_in_bytes") > 0);
        assertTrue(after.containsKey("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"}"));
        assertEquals(0.0, after.get("etcd_disk_defrag_inflight"), "etcd 3.5+: no defragmentation running");
        assertTrue(after.get("process_open_fds") > 0);
        assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")));
    }

    @Test
    void alarmsShowPerMemberAndTypeAsEtcd36Does() throws Exception {
        String nospace = "etcd_debugging_server_alarms{alarm_type=\"NOSPACE\",server_id=\"1234\"}";
        post("/v3/maintenance/alarm", "{\"action\":\"ACTIVATE\",\"memberID\":\"4660\",\"alarm\":\"NOSPACE\"}");
        assertEquals(1.0, scrape().get(nospace));
        post("/v3/maintenance/alarm", "{\"action\":\"DEACTIVATE\",\"memberID\":\"4660\",\"alarm\":\"NOSPACE\"}");
        assertEquals(0.0, scrape().get(nospace), "a disarmed alarm's series stays, at 0");
    }

    @Test
    void grpcCodesAreNamedAsGoNamesThem() {
        assertEquals("Canceled", GrpcMetrics.goName(Status.Code.CANCELLED));
        assertEquals("InvalidArgument", GrpcMetrics.goName(Status.Code.INVALID_ARGUMENT));
        assertEquals("DeadlineExceeded", GrpcMetrics.goName(Status.Code.DEADLINE_EXCEEDED));
        assertEquals("OK", GrpcMetrics.goName(Status.Code.OK));
    }
}
