package io.etcdj.it;

import static io.etcdj.it.ClusterContents.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 5-member cluster keeps serving with two members down (one of them the leader), then every member is killed at
 * once and restarted together: nothing acknowledged is lost, every member holds the same data, and writes go on.
 */
class ClusterRestartTest {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void fiveMembersServeWithTwoDownAndSurviveAWholeClusterRestart() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 5);
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            ClusterContents.write(client, "r/a", 200, 16);
        }
        EtcdProcess leader = cluster.leader();
        assertNotNull(leader, "a leader");
        List<EtcdProcess> down = new ArrayList<>(List.of(leader));
        down.add(cluster.members.stream().filter(m -> m != leader).findFirst().orElseThrow());
        down.forEach(EtcdProcess::kill);
        // writes in flight at the dead leader time out, as with etcd: write once the rest have elected one
        Await.until(Duration.ofSeconds(30), "a new leader among the three left", () -> cluster.leader() != null);
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            ClusterContents.write(client, "r/b", 200, 16); // three of five: still a quorum
        }
        for (EtcdProcess m : cluster.members) {
            m.kill(); // the rest die at once too (kill of a dead member is a no-op)
        }
        for (EtcdProcess m : cluster.members) {
            m.launch(); // together: none is ready before a quorum runs
        }
        cluster.members.forEach(EtcdProcess::awaitReady);
        long revision;
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            client.getKVClient().put(bs("r/c"), bs("after")).get(30, TimeUnit.SECONDS);
            revision = ClusterContents.revision(client);
        }
        List<String> first = ClusterContents.of(cluster.members.get(0), "r/", revision);
        assertEquals(401, first.size(), "every acknowledged key after the restart");
        for (EtcdProcess m : cluster.members) {
            assertEquals(first, ClusterContents.of(m, "r/", revision), m.name() + " diverged");
        }
    }
}
