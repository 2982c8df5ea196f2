package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcdj.embed.EtcdCluster;
import io.etcdj.embed.EtcdMember;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The README's example: a 3-member etcd cluster inside the test's JVM, reached with jetcd. */
class EmbeddedClusterTest {
    private static final Duration LEADER = Duration.ofSeconds(10);

    @Test
    void putAndGetThroughEveryMember() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            List<URI> endpoints = c.clientEndpoints();
            for (int i = 0; i < endpoints.size(); i++) {
                try (Client client = Client.builder().endpoints(endpoints.get(i)).build()) {
                    put(client.getKVClient(), "key-" + i, "value-" + i);
                }
            }
            for (URI endpoint : endpoints) {
                try (Client client = Client.builder().endpoints(endpoint).build()) {
                    for (int i = 0; i < endpoints.size(); i++) {
                        assertEquals("value-" + i, get(client.getKVClient(), "key-" + i, false));
                    }
                }
            }
        }
    }

    @Test
    void leaderKilledAndRestartedLosesNothingAcknowledged() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember leader = c.awaitLeader(LEADER);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean writing = new AtomicBoolean(true);
            // a writer keeps putting through every endpoint while the leader dies; only answered puts count
            try (Client client = Client.builder().endpoints(c.clientEndpoints().toArray(URI[]::new)).build()) {
                Thread writer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; writing.get(); i++) {
                        try {
                            // a short deadline: a put caught on the killed member gives up, the next goes on
                            client.getKVClient().put(bytes("w" + i), bytes("v" + i)).get(2, TimeUnit.SECONDS);
                            acknowledged.add("w" + i);
                        } catch (Exception e) {
                            // not acknowledged: may or may not be there
                        }
                    }
                });
                awaitSize(acknowledged, 20);
                leader.kill();
                EtcdMember next = c.awaitLeader(LEADER);
                assertNotEquals(leader, next);
                int atKill = acknowledged.size();
                awaitSize(acknowledged, atKill + 20); // writes go on under the new leader
                leader.restart();                      // same data dir, same ports
                c.awaitLeader(LEADER);
                writing.set(false);
                writer.join();
            }
            try (Client restarted = Client.builder().endpoints(leader.clientEndpoint()).build()) {
                for (String key : acknowledged) {
                    assertEquals("v" + key.substring(1), get(restarted.getKVClient(), key, false), key);
                }
            }
        }
    }

    @Test
    void isolatedMemberServesNoLinearizableRead() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember cut = c.member(2);
            try (Client client = Client.builder().endpoints(c.member(0).clientEndpoint()).build();
                 Client toCut = Client.builder().endpoints(cut.clientEndpoint()).build()) {
                put(client.getKVClient(), "k", "old");
                assertEquals("old", get(toCut.getKVClient(), "k", false)); // the member to cut has applied it
                cut.isolate();
                c.awaitLeader(LEADER);
                put(client.getKVClient(), "k", "new");
            }
            try (Client toCut = Client.builder().endpoints(cut.clientEndpoint()).build()) {
                // it still answers from its own state (serializable), but cannot confirm it is current
                assertEquals("old", get(toCut.getKVClient(), "k", true));
                assertThrows(TimeoutException.class, () -> toCut.getKVClient().get(bytes("k"))
                        .get(1500, TimeUnit.MILLISECONDS));
                cut.heal();
                c.awaitLeader(LEADER);
                assertEquals("new", get(toCut.getKVClient(), "k", false));
            }
        }
    }

    private static void awaitSize(Set<String> set, int size) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (set.size() < size) {
            assertTrue(System.nanoTime() < deadline, "writes stalled at " + set.size());
            LockSupport.parkNanos(1_000_000); // polls the writer's progress until the deadline
        }
    }

    static void put(KV kv, String key, String value) throws Exception {
        kv.put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
    }

    static String get(KV kv, String key, boolean serializable) throws Exception {
        GetResponse r = kv.get(bytes(key), GetOption.builder().withSerializable(serializable).build())
                .get(10, TimeUnit.SECONDS);
        return r.getKvs().isEmpty() ? null : r.getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8);
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
