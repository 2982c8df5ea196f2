package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of a 3-member cluster's leader under write load: a new leader within two election timeouts, no
 * acknowledged write lost, and every member's data identical once the killed member is back.
 */
class ClusterFailoverTest {
    private static final int WRITERS = 4;
    private static final long ELECTION_TIMEOUT_MS = 1000;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void leaderKilledUnderWritesLosesNothing() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (long seq = 1; !stop.get(); seq++) {
                        String key = "w/" + writer + "/" + seq;
                        try {
                            client.getKVClient().put(bs(key), bs("v" + seq)).get(10, TimeUnit.SECONDS);
                            acked.add(key);
                        } catch (Exception e) {
                            // unknown outcome (the leader died under it): it may or may not be stored
                        }
                    }
                }));
            }
            Await.until(Duration.ofSeconds(60), "writes before the kill", () -> acked.size() >= 300);
            EtcdProcess old = cluster.leader();
            assertNotNull(old, "a leader before the kill");
            old.kill();
            long killedAt = System.nanoTime();
            EtcdProcess[] next = new EtcdProcess[1];
            Await.until(Duration.ofSeconds(30), "a new leader", () -> (next[0] = cluster.leader()) != null);
            long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.printf("new leader %s %d ms after the kill%n", next[0].name(), electedMs);
            assertTrue(electedMs <= 2 * ELECTION_TIMEOUT_MS, "new leader after " + electedMs + " ms");
            int before = acked.size();
            Await.until(Duration.ofSeconds(30), "writes after the failover", () -> acked.size() >= before + 300);
            stop.set(true);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            old.restart();
        }
        ClusterContents.assertConsistent(cluster, "w/", acked);
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
