package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /metrics scraped from real processes: etcdj serves it on the client port and on --listen-metrics-urls (with
 * /health there too, and nothing else); the metrics etcdj names after etcd's exist, with the same type, in the real
 * etcd 3.4.23's exposition.
 */
class MetricsListenUrlTest {
    /** Metrics dashboards and alerts for etcd read; etcdj must export each under this name. */
    private static final List<String> ETCD_NAMES = List.of(
            "etcd_server_has_leader",
            "etcd_server_is_leader",
            "etcd_server_leader_changes_seen_total",
            "etcd_server_proposals_committed_total",
            "etcd_server_proposals_applied_total",
            "etcd_server_proposals_pending",
            "etcd_server_proposals_failed_total",
            "etcd_server_quota_backend_bytes",
            "etcd_disk_wal_fsync_duration_seconds",
            "etcd_disk_backend_commit_duration_seconds",
            "etcd_mvcc_db_total_size_in_bytes",
            "etcd_mvcc_put_total",
            "etcd_mvcc_delete_total",
            "etcd_server_health_success",
            "etcd_server_health_failures",
            "grpc_server_handled_total",
            "grpc_server_started_total",
            "grpc_server_msg_received_total",
            "grpc_server_msg_sent_total",
            "etcd_debugging_mvcc_current_revision",
            "process_cpu_seconds_total",
            "process_open_fds",
            "process_max_fds",
            "process_resident_memory_bytes",
            "process_start_time_seconds");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)));
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    /** Metric family -> type, from the "# TYPE" lines. */
    private static Map<String, String> types(String exposition) {
        return exposition
                .lines()
                .filter(l -> l.startsWith("# TYPE "))
                .map(l -> l.substring("# TYPE ".length()).split(" "))
                .collect(Collectors.toMap(p -> p[0], p -> p[1], (a, b) -> a, TreeMap::new));
    }

    private static boolean exports(Map<String, String> types, String name) {
        // Prometheus' Java client names a counter family without "_total" in its TYPE line
        return types.containsKey(name) || types.containsKey(name.replaceAll("_total$", ""));
    }

    @Test
    void metricsAndHealthAreServedOnTheMetricsUrls() throws Exception {
        int metricsPort = EtcdProcess.freePort();
        EtcdProcess etcdj = servers.start(EtcdProcess.builder(ServerKind.fromSystemProperty())
                .name("m1")
                .extraArgs(
                        "--listen-metrics-urls",
                        "http://127.0.0.1:" + metricsPort,
                        "--feature-gates",
                        "LeaseCheckpoint=true"));
        String metricsUrl = "http://127.0.0.1:" + metricsPort;
        send(HttpRequest.newBuilder(URI.create(etcdj.clientEndpoint() + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"aw==\",\"value\":\"dg==\"}")));

        String scraped = get(metricsUrl + "/metrics");
        assertTrue(scraped.contains("\netcd_server_has_leader 1"), scraped);
        assertTrue(scraped.contains("\netcd_mvcc_put_total 1"), scraped);
        assertTrue(
                scraped.contains("\ngrpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Put\","
                        + "grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"} 1"),
                scraped);
        // etcd 3.6: one series per server feature gate, as the flags set them
        String gate = "\netcd_server_feature_enabled{name=\"%s\",stage=\"%s\"} %d";
        assertTrue(scraped.contains(gate.formatted("LeaseCheckpoint", "ALPHA", 1)), scraped);
        assertTrue(scraped.contains(gate.formatted("CompactHashCheck", "ALPHA", 0)), scraped);
        assertTrue(scraped.contains(gate.formatted("TxnModeWriteWithSharedBuffer", "BETA", 1)), scraped);
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", get(metricsUrl + "/health"));
        assertEquals("ok\n", get(metricsUrl + "/readyz"));
        // the client port serves the same registry
        assertTrue(get(etcdj.clientEndpoint() + "/metrics").contains("\netcd_server_is_leader 1"));
        // only metrics and health on the metrics URLs
        assertEquals(
                404,
                send(HttpRequest.newBuilder(URI.create(metricsUrl + "/v3/kv/range"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}")))
                        .statusCode());

        Map<String, String> ours = types(scraped);
        for (String name : ETCD_NAMES) {
            assertTrue(exports(ours, name), "etcdj does not export " + name);
        }
    }

    @Test
    void etcdsOwnExpositionHasTheNamesWeKeep() throws Exception {
        EtcdProcess etcd = servers.start(EtcdProcess.builder(ServerKind.ETCD).name("m2"));
        Map<String, String> theirs = types(get(etcd.clientEndpoint() + "/metrics"));
        Set<String> missing = ETCD_NAMES.stream()
                .filter(n -> !exports(theirs, n))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertEquals(Set.of(), missing, "names we keep that etcd 3.4.23 does not export");
    }
}
