package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watch through jetcd, the Java client, against a real server process (etcdj by default,
 * {@code -Detcdj.it.server=etcd} for the real etcd): history then live events, prev_kv, compaction, progress, and a
 * restart of the server that the client's watch rides through without a gap or a duplicate.
 */
class JetcdWatchTest {
    private static final long TIMEOUT_SECONDS = 20;
    private static final Duration WAIT = Duration.ofSeconds(TIMEOUT_SECONDS);

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    /** What a jetcd watcher received, in order. */
    static final class Received {
        /** Guarded by this. */
        private final List<WatchResponse> responses = new ArrayList<>();
        /** Guarded by this. */
        private Throwable error;

        synchronized void add(WatchResponse r) {
            responses.add(r);
            notifyAll();
        }

        synchronized void fail(Throwable t) {
            error = t;
            notifyAll();
        }

        synchronized List<WatchEvent> events() {
            return responses.stream().flatMap(r -> r.getEvents().stream()).toList();
        }

        /** Waits until {@code done} holds for the responses so far. */
        synchronized void await(Predicate<Received> done) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(this)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("watch did not get there in " + WAIT + ": " + responses + " " + error);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        synchronized Throwable error() {
            return error;
        }

        synchronized List<WatchResponse> responses() {
            return List.copyOf(responses);
        }

        Watch.Listener listener() {
            return Watch.listener(this::add, this::fail);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String str(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    private static long put(KV kv, String key, String value) throws Exception {
        return kv.put(bytes(key), bytes(value))
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .getHeader()
                .getRevision();
    }

    @Test
    void historyThenLiveWithPrevKvAndDeletes() throws Exception {
        EtcdProcess server = servers.startDefault("jwatch");
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            long first = put(kv, "app/a", "1");
            put(kv, "app/b", "1");
            put(kv, "other", "x");
            Received got = new Received();
            WatchOption opt = WatchOption.builder()
                    .isPrefix(true)
                    .withPrevKV(true)
                    .withRevision(first)
                    .build();
            try (Watch.Watcher w = client.getWatchClient().watch(bytes("app/"), opt, got.listener())) {
                got.await(r -> r.events().size() == 2);
                put(kv, "app/a", "2");
                kv.delete(bytes("app/b")).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                got.await(r -> r.events().size() == 4);
            }
            List<WatchEvent> events = got.events();
            assertEquals(
                    List.of("app/a", "app/b", "app/a", "app/b"),
                    events.stream().map(e -> str(e.getKeyValue().getKey())).toList());
            assertEquals(WatchEvent.EventType.PUT, events.get(2).getEventType());
            assertEquals("1", str(events.get(2).getPrevKV().getValue()));
            assertEquals(WatchEvent.EventType.DELETE, events.get(3).getEventType());
            assertEquals("1", str(events.get(3).getPrevKV().getValue()));
            for (int i = 1; i < events.size(); i++) {
                assertTrue(events.get(i).getKeyValue().getModRevision()
                        > events.get(i - 1).getKeyValue().getModRevision());
            }
        }
    }

    @Test
    void aStartBelowTheCompactionIsReportedAsCompacted() throws Exception {
        EtcdProcess server = servers.startDefault("jcompact");
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            long first = put(kv, "k", "1");
            long last = first;
            for (int i = 2; i <= 5; i++) {
                last = put(kv, "k", "" + i);
            }
            kv.compact(last - 1).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Received got = new Received();
            try (Watch.Watcher w = client.getWatchClient()
                    .watch(bytes("k"), WatchOption.builder().withRevision(first).build(), got.listener())) {
                got.await(r -> r.error() != null);
            }
            CompactedException e = assertInstanceOf(CompactedException.class, got.error());
            assertEquals(last - 1, e.getCompactedRevision());
        }
    }

    @Test
    void progressNotificationsAndProgressRequests() throws Exception {
        EtcdProcess server = servers.start(EtcdProcess.builder(ServerKind.fromSystemProperty())
                .name("jprogress")
                .extraArgs("--experimental-watch-progress-notify-interval=300ms"));
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            long rev = put(client.getKVClient(), "k", "1");
            Received got = new Received();
            try (Watch.Watcher w = client.getWatchClient()
                    .watch(
                            bytes("quiet"),
                            WatchOption.builder().withProgressNotify(true).build(),
                            got.listener())) {
                got.await(r -> r.responses().stream().anyMatch(WatchResponse::isProgressNotify));
                int before = got.responses().size();
                client.getWatchClient().requestProgress();
                got.await(r -> r.responses().size() > before);
            }
            assertTrue(got.responses().stream()
                    .filter(WatchResponse::isProgressNotify)
                    .allMatch(r -> r.getHeader().getRevision() == rev));
        }
    }

    @Test
    void aWatchRidesThroughAServerRestartWithoutGapOrDuplicate() throws Exception {
        EtcdProcess server = servers.startDefault("jrestart");
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            KV kv = client.getKVClient();
            // jetcd creates the watch asynchronously: start it at an explicit revision so that a put racing the
            // creation is still delivered (a watch "from now" may be registered after the first put)
            long start = kv.get(bytes("r/"))
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                            .getHeader()
                            .getRevision()
                    + 1;
            Received got = new Received();
            try (Watch.Watcher w = client.getWatchClient()
                    .watch(
                            bytes("r/"),
                            WatchOption.builder()
                                    .isPrefix(true)
                                    .withRevision(start)
                                    .build(),
                            got.listener())) {
                for (int i = 0; i < 20; i++) {
                    put(kv, "r/" + (i % 3), "before-" + i);
                }
                got.await(r -> r.events().size() == 20);
                server.kill();
                server.restart();
                for (int i = 0; i < 20; i++) {
                    putRetrying(kv, "r/" + (i % 3), "after-" + i);
                }
                got.await(r -> r.events().size() >= 40);
            }
            List<WatchEvent> events = got.events();
            assertEquals(40, events.size(), "every put once: " + events);
            for (int i = 1; i < events.size(); i++) {
                assertEquals(
                        events.get(i - 1).getKeyValue().getModRevision() + 1,
                        events.get(i).getKeyValue().getModRevision());
            }
        }
    }

    /** A put right after a restart may meet a connection the client has not re-established yet. */
    private static void putRetrying(KV kv, String key, String value) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                put(kv, key, value);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }
}
