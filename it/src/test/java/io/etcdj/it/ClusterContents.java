package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** What cluster tests compare and load: each member's keys under a prefix, and bulk writes. */
final class ClusterContents {
    private ClusterContents() {}

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /**
     * Member {@code m}'s keys under {@code prefix} as "key=value@modRevision", read serializably once its store has
     * reached {@code revision}.
     */
    static List<String> of(EtcdProcess m, String prefix, long revision) throws Exception {
        try (Client own = Client.builder().endpoints(m.clientEndpoint()).build()) {
            Await.until(Duration.ofSeconds(90), m.name() + " reaches revision " + revision, () -> {
                try {
                    return serializable(own, prefix).getHeader().getRevision() >= revision;
                } catch (Exception e) {
                    return false;
                }
            });
            List<String> out = new ArrayList<>();
            for (KeyValue kv : serializable(own, prefix).getKvs()) {
                out.add(kv.getKey().toString(StandardCharsets.UTF_8) + "="
                        + kv.getValue().toString(StandardCharsets.UTF_8) + "@" + kv.getModRevision());
            }
            return out;
        }
    }

    /** The current revision, asked linearizably through {@code client}. */
    static long revision(Client client) throws Exception {
        return client.getKVClient()
                .get(bs("\0"), GetOption.builder().withCountOnly(true).build())
                .get(10, TimeUnit.SECONDS)
                .getHeader()
                .getRevision();
    }

    private static GetResponse serializable(Client c, String prefix) throws Exception {
        return c.getKVClient()
                .get(
                        bs(prefix),
                        GetOption.builder()
                                .isPrefix(true)
                                .withSerializable(true)
                                .build())
                .get(10, TimeUnit.SECONDS);
    }

    /** Writes {@code count} keys {@code prefix + i}, at most {@code inFlight} at a time; waits for all. */
    static void write(Client client, String prefix, int count, int inFlight) throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            all.add(client.getKVClient().put(bs(prefix + i), bs("v" + i)).whenComplete((r, e) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    /**
     * Asserts what a cluster must hold after faults: every member the same keys, values and revisions under
     * {@code prefix}, the same HashKV at one revision, and every key in {@code acked} (acknowledged writes) there.
     */
    static void assertConsistent(EtcdCluster cluster, String prefix, Set<String> acked) throws Exception {
        long revision;
        try (Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            revision = revision(client);
        }
        List<List<String>> contents = new ArrayList<>();
        for (EtcdProcess m : cluster.members) {
            contents.add(of(m, prefix, revision));
        }
        for (List<String> c : contents) {
            assertEquals(contents.get(0), c, "every member holds the same keys, values and revisions");
        }
        // HashKV at one revision: the same on every member that applied the same history
        List<Integer> hashes = new ArrayList<>();
        for (EtcdProcess m : cluster.members) {
            try (Client own = Client.builder().endpoints(m.clientEndpoint()).build()) {
                hashes.add(own.getMaintenanceClient()
                        .hashKV(m.clientEndpoint(), revision)
                        .get(30, TimeUnit.SECONDS)
                        .getHash());
            }
        }
        assertEquals(1, hashes.stream().distinct().count(), "HashKV at " + revision + " per member: " + hashes);
        Set<String> stored = new HashSet<>();
        contents.get(0).forEach(line -> stored.add(line.substring(0, line.indexOf('='))));
        for (String key : acked) {
            assertTrue(stored.contains(key), "acknowledged write lost: " + key);
        }
    }
}
