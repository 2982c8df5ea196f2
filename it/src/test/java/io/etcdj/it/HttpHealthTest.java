package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.ClusterGrpc;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.MemberListRequest;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /health, /livez and /readyz of a member of a real 3-member cluster, before and after it loses its quorum:
 * etcd's answers (status code and body) in each state; and the peer round-trip-time metric of a live cluster.
 */
class HttpHealthTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private HttpResponse<String> get(EtcdProcess m, String path) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(m.clientEndpoint() + path))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(path + ": " + e, e);
        }
    }

    @Test
    void healthFollowsTheQuorum() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        EtcdProcess survivor = cluster.members.get(0);
        HttpResponse<String> healthy = get(survivor, "/health");
        assertEquals(200, healthy.statusCode());
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", healthy.body()); // etcd 3.5+'s body
        assertEquals("ok\n", get(survivor, "/readyz").body());
        ManagedChannel live = NettyChannelBuilder.forAddress("127.0.0.1", survivor.clientPort())
                .usePlaintext()
                .build();
        try {
            assertEquals(
                    3,
                    ClusterGrpc.newBlockingStub(live)
                            .withDeadlineAfter(30, TimeUnit.SECONDS)
                            .memberList(MemberListRequest.newBuilder()
                                    .setLinearizable(true)
                                    .build())
                            .getMembersCount());
        } finally {
            live.shutdownNow();
        }
        // the member probes its peers: etcd's RTT histogram gets a series per peer
        Await.until(
                Duration.ofSeconds(20),
                "peer round-trip times in /metrics",
                () -> get(survivor, "/metrics")
                                .body()
                                .lines()
                                .filter(l -> l.startsWith("etcd_network_peer_round_trip_time_seconds_count{To=\""))
                                .count()
                        == 2);

        cluster.members.get(1).kill();
        cluster.members.get(2).kill();

        Await.until(
                Duration.ofSeconds(30),
                "/health reports the lost leader",
                () -> get(survivor, "/health").statusCode() == 503);
        HttpResponse<String> noLeader = get(survivor, "/health");
        assertEquals("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n", noLeader.body());
        // a serializable check skips the leader and reads locally: the member itself is fine
        HttpResponse<String> local = get(survivor, "/health?serializable=true");
        assertEquals(200, local.statusCode(), local.body());
        assertEquals("ok\n", get(survivor, "/livez").body());
        HttpResponse<String> ready = get(survivor, "/readyz?verbose");
        assertEquals(503, ready.statusCode());
        assertTrue(
                ready.body()
                        .startsWith("[+]data_corruption ok\n[+]serializable_read ok\n"
                                + "[-]linearizable_read failed: etcdserver: "),
                ready.body());
        assertEquals("ok\n", get(survivor, "/readyz?exclude=linearizable_read").body());
        // etcd 3.6's Status says so too
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", survivor.clientPort())
                .usePlaintext()
                .build();
        try {
            StatusResponse status = MaintenanceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
            assertEquals(0, status.getLeader());
            assertEquals(List.of("etcdserver: no leader"), status.getErrorsList());
            // etcd 3.5+'s linearizable MemberList needs the quorum; the plain one answers from this member
            ClusterGrpc.ClusterBlockingStub members =
                    ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertEquals(
                    3,
                    members.memberList(MemberListRequest.getDefaultInstance()).getMembersCount());
            assertThrows(
                    StatusRuntimeException.class,
                    () -> ClusterGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(30, TimeUnit.SECONDS)
                            .memberList(MemberListRequest.newBuilder()
                                    .setLinearizable(true)
                                    .build()));
        } finally {
            channel.shutdownNow();
        }
    }
}
