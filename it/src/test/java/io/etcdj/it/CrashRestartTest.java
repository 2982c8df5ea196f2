package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 while writers are busy: after a restart on the same data dir, every acknowledged write is there, and the
 * store's revision accounts for exactly the writes it holds.
 */
class CrashRestartTest {
    private static final int WRITERS = 8;
    private static final long ACKED_BEFORE_KILL = 400;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void acknowledgedWritesSurviveKillNine() throws Exception {
        EtcdProcess server = servers.startDefault("crash");
        AtomicLongArray lastAcked = new AtomicLongArray(WRITERS); // per writer: highest sequence acknowledged
        AtomicLong acked = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (long seq = 1; !stop.get(); seq++) {
                        try {
                            kv.put(bs("w/" + writer), bs(Long.toString(seq))).get(5, TimeUnit.SECONDS);
                            lastAcked.set(writer, seq);
                            acked.incrementAndGet();
                        } catch (Exception e) {
                            return; // the server is gone: this write may or may not have landed
                        }
                    }
                }));
            }
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (acked.get() < ACKED_BEFORE_KILL && Instant.now().isBefore(deadline)) {
                Thread.onSpinWait();
            }
            assertTrue(acked.get() >= ACKED_BEFORE_KILL, "writers made no progress: " + acked.get());
            server.kill();
            stop.set(true);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        server.restart();
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            var all =
                    kv.get(bs("w/"), GetOption.builder().isPrefix(true).build()).get(20, TimeUnit.SECONDS);
            assertEquals(WRITERS, all.getCount());
            long versions = 0;
            for (var kvp : all.getKvs()) {
                int writer = Integer.parseInt(
                        kvp.getKey().toString(StandardCharsets.UTF_8).substring(2));
                long stored = Long.parseLong(kvp.getValue().toString(StandardCharsets.UTF_8));
                // the write in flight at the kill may have landed (stored = acked + 1), never less than acked
                assertTrue(
                        stored >= lastAcked.get(writer) && stored <= lastAcked.get(writer) + 1,
                        "writer " + writer + ": stored " + stored + ", acknowledged " + lastAcked.get(writer));
                assertEquals(stored, kvp.getVersion(), "one version per write");
                versions += kvp.getVersion();
            }
            assertEquals(1 + versions, all.getHeader().getRevision(), "one revision per stored write");
        }
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
