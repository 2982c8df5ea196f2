package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A partition that isolates the leader (every member's peers reach it through a TCP proxy, and the leader's proxy is
 * cut): the majority elects a new leader and keeps serving; the old leader steps down and serves no linearizable read
 * while cut off; after healing it catches up.
 */
class ClusterPartitionTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final List<TcpProxy> proxies = new ArrayList<>();

    @AfterEach
    void closeProxies() {
        proxies.forEach(TcpProxy::close);
    }

    @Test
    void isolatedLeaderStepsDownAndCatchesUpAfterHealing() throws Exception {
        EtcdCluster cluster = EtcdCluster.startBehindProxies(servers, 3, proxies);
        List<EtcdProcess> members = cluster.members;
        EtcdProcess old = cluster.leader();
        int oldIndex = members.indexOf(old);
        proxies.get(oldIndex).cut();

        List<EtcdProcess> majority = new ArrayList<>(members);
        majority.remove(old);
        EtcdProcess[] next = new EtcdProcess[1];
        Await.until(Duration.ofSeconds(30), "the majority elects a new leader", () -> {
            for (EtcdProcess m : majority) {
                try {
                    var s = EtcdCluster.status(m);
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                        next[0] = m;
                        return true;
                    }
                } catch (Exception e) {
                    // not answering
                }
            }
            return false;
        });
        assertNotEquals(old, next[0]);
        try (Client majorityClient =
                        Client.builder().endpoints(next[0].clientEndpoint()).build();
                Client oldClient =
                        Client.builder().endpoints(old.clientEndpoint()).build()) {
            majorityClient
                    .getKVClient()
                    .put(ClusterContents.bs("p"), ClusterContents.bs("during"))
                    .get(10, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(30), "the old leader steps down", () -> {
                try {
                    var s = EtcdCluster.status(old);
                    return s.getLeader() != s.getHeader().getMemberId();
                } catch (Exception e) {
                    return false;
                }
            });
            assertThrows(
                    Exception.class,
                    () -> oldClient.getKVClient().get(ClusterContents.bs("p")).get(10, TimeUnit.SECONDS),
                    "no linearizable read on the cut-off member");
            proxies.get(oldIndex).heal();
            long revision = ClusterContents.revision(majorityClient);
            assertEquals(ClusterContents.of(next[0], "p", revision), ClusterContents.of(old, "p", revision));
            var got = oldClient
                    .getKVClient()
                    .get(ClusterContents.bs("p"), GetOption.builder().build())
                    .get(30, TimeUnit.SECONDS);
            assertEquals("during", got.getKvs().get(0).getValue().toString());
        }
    }
}
