package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leases through jetcd against a real server process (etcdj by default; {@code -Detcdj.it.server=etcd} for the
 * real etcd): keep-alives hold a lease past its TTL; once they stop it expires within its TTL plus one election
 * timeout and a watcher sees all its keys deleted together at one revision; a restart keeps leases and their keys.
 */
class JetcdLeaseTest {
    private static final long TIMEOUT_SECONDS = 20;
    /** The servers run with etcd's default 1 s election timeout: the minimum TTL is ceil(1.5 s) = 2 s. */
    private static final long MIN_TTL_SECONDS = 2;

    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(1);
    /** For a loaded CI machine: process scheduling, the expiry driver's round, the watch's delivery. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static PutOption withLease(long id) {
        return PutOption.builder().withLeaseId(id).build();
    }

    @Test
    void keepAlivesHoldALeaseAndWhenTheyStopItExpiresWithAllItsKeysAtOneRevision() throws Exception {
        EtcdProcess server = servers.startDefault("lease-expiry");
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            Lease leases = client.getLeaseClient();
            KV kv = client.getKVClient();
            var grant = leases.grant(1).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(MIN_TTL_SECONDS, grant.getTTL()); // raised to the minimum
            long id = grant.getID();
            List<String> keys = List.of("svc/a", "svc/b", "svc/c");
            for (String k : keys) {
                kv.put(bytes(k), bytes("up"), withLease(id)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            kv.put(bytes("svc/other"), bytes("no lease")).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

            // keep-alives every TTL/3: five answers span more than the TTL
            CountDownLatch answers = new CountDownLatch(5);
            CloseableClient keepAlive = leases.keepAlive(id, new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    answers.countDown();
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            });
            assertTrue(answers.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(4, count(kv, "svc/"), "keys held by a lease kept alive");

            JetcdWatchTest.Received watched = new JetcdWatchTest.Received();
            long revisionBefore = kv.get(bytes("svc/other"))
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .getHeader()
                    .getRevision();
            try (Watch.Watcher watcher = client.getWatchClient()
                    .watch(
                            bytes("svc/"),
                            WatchOption.builder()
                                    .isPrefix(true)
                                    .withRevision(revisionBefore + 1)
                                    .build(),
                            watched.listener())) {
                keepAlive.close();
                long lastRenewalNanos = System.nanoTime();
                watched.await(r -> r.events().size() >= keys.size());
                Duration took = Duration.ofNanos(System.nanoTime() - lastRenewalNanos);
                Duration limit = Duration.ofSeconds(MIN_TTL_SECONDS)
                        .plus(ELECTION_TIMEOUT)
                        .plus(SLACK);
                assertTrue(took.compareTo(limit) <= 0, "expired after " + took + ", more than " + limit);
                // the watcher saw the three deletions together, at one revision, the next after the puts
                WatchResponse deletions = watched.responses().get(0);
                assertEquals(
                        keys,
                        deletions.getEvents().stream()
                                .map(e -> e.getKeyValue().getKey().toString())
                                .toList());
                for (WatchEvent e : deletions.getEvents()) {
                    assertEquals(WatchEvent.EventType.DELETE, e.getEventType());
                    assertEquals(revisionBefore + 1, e.getKeyValue().getModRevision());
                }
            }
            assertEquals(1, count(kv, "svc/"));
            LeaseTimeToLiveResponse ttl =
                    leases.timeToLive(id, LeaseOption.DEFAULT).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(-1, ttl.getTTL());
            assertEquals(
                    0,
                    leases.keepAliveOnce(id)
                            .handle((r, e) -> r == null ? 0 : r.getTTL())
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRestartKeepsLeasesTheirRemainingTtlAndTheirKeys() throws Exception {
        EtcdProcess server = servers.startDefault("lease-restart");
        long id;
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            id = client.getLeaseClient()
                    .grant(600)
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .getID();
            client.getKVClient().put(bytes("kept"), bytes("v"), withLease(id)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        server.kill(); // SIGKILL: what was acknowledged is in the log
        server.restart();
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            LeaseTimeToLiveResponse ttl = client.getLeaseClient()
                    .timeToLive(id, LeaseOption.newBuilder().withAttachedKeys().build())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(600, ttl.getGrantedTTL());
            assertTrue(ttl.getTTL() > 500 && ttl.getTTL() <= 600, "remaining " + ttl.getTTL());
            assertEquals(List.of(bytes("kept")), ttl.getKeys());
            client.getLeaseClient().revoke(id).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, count(client.getKVClient(), "kept"));
        }
    }

    private static long count(KV kv, String prefix) {
        try {
            return kv.get(
                            bytes(prefix),
                            GetOption.builder()
                                    .isPrefix(true)
                                    .withCountOnly(true)
                                    .build())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .getCount();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
