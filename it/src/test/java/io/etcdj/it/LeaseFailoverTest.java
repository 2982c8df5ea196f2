package io.etcdj.it;

import static io.etcdj.it.ClusterContents.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leases on a 3-member cluster through a leader kill: by default (etcd 3.6) the new leader gives every lease a fresh
 * full TTL plus one election timeout; with the LeaseCheckpoint gate a lease's remaining TTL survives (the new leader
 * neither hands it a fresh full TTL nor expires it early); keep-alives sent to a follower reach whoever leads.
 */
class LeaseFailoverTest {
    /** For a loaded CI machine: process scheduling, the expiry driver's round, the new leader's grace. */
    private static final long SLACK_MS = 2500;
    /** A new leader gives every lease at least one election timeout (etcd's default 1 s) before it may expire. */
    private static final long PROMOTE_EXTEND_MS = 1000;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void byDefaultANewLeaderGivesALeaseAFullTtl() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        EtcdProcess leader = cluster.leader();
        assertNotNull(leader);
        EtcdProcess follower =
                cluster.members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        long ttlSeconds = 10;
        try (Client client =
                Client.builder().endpoints(follower.clientEndpoint()).build()) {
            long id = client.getLeaseClient()
                    .grant(ttlSeconds)
                    .get(10, TimeUnit.SECONDS)
                    .getID();
            client.getKVClient()
                    .put(
                            bs("lf/key"),
                            bs("v"),
                            PutOption.builder().withLeaseId(id).build())
                    .get(10, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(20), "the lease's TTL runs down to 6 s", () -> ttl(client, id) <= 6);
            long killedAt = System.nanoTime();
            leader.kill();
            Await.until(Duration.ofSeconds(30), "a new leader", () -> cluster.leader() != null);
            long[] ttlAfter = new long[1];
            Await.until(
                    Duration.ofSeconds(10),
                    "TimeToLive answered by the new leader",
                    () -> (ttlAfter[0] = ttl(client, id)) != Long.MAX_VALUE);
            long sinceKillS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
            // the full TTL plus one election timeout, from the promotion (which came after the kill)
            assertTrue(
                    ttlAfter[0] >= ttlSeconds - sinceKillS - 1 && ttlAfter[0] <= ttlSeconds + PROMOTE_EXTEND_MS / 1000,
                    "TTL " + ttlAfter[0] + " s, " + sinceKillS + " s after the kill");
            long goneAfterMs = TimeUnit.NANOSECONDS.toMillis(
                    awaitGone(client, "lf/key", Duration.ofSeconds(ttlSeconds * 3)) - killedAt);
            assertTrue(goneAfterMs >= ttlSeconds * 1000 - 500, "expired early: " + goneAfterMs + " ms after the kill");
        }
    }

    @Test
    void withLeaseCheckpointsTheRemainingTtlSurvivesALeaderKill() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3, "--feature-gates=LeaseCheckpoint=true");
        EtcdProcess leader = cluster.leader();
        assertNotNull(leader);
        EtcdProcess follower =
                cluster.members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        long ttlSeconds = 10;
        try (Client client =
                Client.builder().endpoints(follower.clientEndpoint()).build()) {
            long grantedAt = System.nanoTime();
            long id = client.getLeaseClient()
                    .grant(ttlSeconds)
                    .get(10, TimeUnit.SECONDS)
                    .getID();
            client.getKVClient()
                    .put(
                            bs("lf/key"),
                            bs("v"),
                            PutOption.builder().withLeaseId(id).build())
                    .get(10, TimeUnit.SECONDS);
            // let a good part of the TTL run out before the leader dies
            Await.until(Duration.ofSeconds(20), "the lease's TTL runs down to 6 s", () -> ttl(client, id) <= 6);
            long ttlBefore = ttl(client, id);
            leader.kill();
            Await.until(Duration.ofSeconds(30), "a new leader", () -> cluster.leader() != null);
            assertNotSame(leader, cluster.leader());
            long[] ttlAfter = new long[1];
            Await.until(
                    Duration.ofSeconds(10),
                    "TimeToLive answered by the new leader",
                    () -> (ttlAfter[0] = ttl(client, id)) != Long.MAX_VALUE);
            // within one election timeout of what it was (the new leader's grace), never a fresh full TTL
            assertTrue(
                    ttlAfter[0] <= ttlBefore + PROMOTE_EXTEND_MS / 1000,
                    "TTL " + ttlBefore + " s before the kill, " + ttlAfter[0] + " s after");
            long goneAfterMs = awaitGone(client, "lf/key", Duration.ofSeconds(ttlSeconds * 2));
            long sinceGrantMs = TimeUnit.NANOSECONDS.toMillis(goneAfterMs - grantedAt);
            System.out.printf(
                    "lease of %d s expired %d ms after its grant, across a leader kill%n", ttlSeconds, sinceGrantMs);
            assertTrue(sinceGrantMs >= ttlSeconds * 1000 - 500, "expired early: " + sinceGrantMs + " ms");
            assertTrue(
                    sinceGrantMs <= ttlSeconds * 1000 + PROMOTE_EXTEND_MS + SLACK_MS,
                    "the new leader renewed the lease: gone only " + sinceGrantMs + " ms after the grant");
        }
    }

    @Test
    void keepAlivesThroughAFollowerHoldALeaseAcrossALeaderKill() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        EtcdProcess leader = cluster.leader();
        assertNotNull(leader);
        EtcdProcess follower =
                cluster.members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        long ttlSeconds = 3;
        int leases = 10;
        try (Client client =
                Client.builder().endpoints(follower.clientEndpoint()).build()) {
            List<CloseableClient> keepAlives = new ArrayList<>();
            for (int i = 0; i < leases; i++) {
                long id = client.getLeaseClient()
                        .grant(ttlSeconds)
                        .get(10, TimeUnit.SECONDS)
                        .getID();
                client.getKVClient()
                        .put(
                                bs("ka/" + i),
                                bs("v"),
                                PutOption.builder().withLeaseId(id).build())
                        .get(10, TimeUnit.SECONDS);
                keepAlives.add(keepAlive(client, id));
            }
            leader.kill();
            // three TTLs with the leader gone and then replaced: every key must be there at every look
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3 * ttlSeconds);
            Await.until(Duration.ofSeconds(6 * ttlSeconds), "three TTLs pass with the keys kept alive", () -> {
                if (count(client, "ka/") != leases) {
                    throw new AssertionError("a kept-alive lease expired");
                }
                return System.nanoTime() > until;
            });
            keepAlives.forEach(CloseableClient::close);
            long stoppedAt = System.nanoTime();
            Await.until(Duration.ofSeconds(5 * ttlSeconds), "the leases expire", () -> count(client, "ka/") == 0);
            long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            assertTrue(afterMs <= ttlSeconds * 1000 + SLACK_MS, "expired " + afterMs + " ms after keep-alives stopped");
        }
    }

    @Test
    void anExpiryIsSeenByAWatcherOnEveryMemberAsOneRevision() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        List<String> keys = List.of("exp/a", "exp/b", "exp/c");
        List<Client> clients = new ArrayList<>();
        List<Watch.Watcher> watchers = new ArrayList<>();
        List<JetcdWatchTest.Received> received = new ArrayList<>();
        try {
            for (EtcdProcess m : cluster.members) {
                clients.add(Client.builder().endpoints(m.clientEndpoint()).build());
            }
            Client first = clients.get(0);
            long grantedAt = System.nanoTime();
            long id = first.getLeaseClient().grant(2).get(10, TimeUnit.SECONDS).getID();
            long revisionBefore = 0;
            for (String k : keys) {
                revisionBefore = first.getKVClient()
                        .put(
                                bs(k),
                                bs("up"),
                                PutOption.builder().withLeaseId(id).build())
                        .get(10, TimeUnit.SECONDS)
                        .getHeader()
                        .getRevision();
            }
            for (Client c : clients) {
                JetcdWatchTest.Received r = new JetcdWatchTest.Received();
                received.add(r);
                watchers.add(c.getWatchClient()
                        .watch(
                                bs("exp/"),
                                WatchOption.builder()
                                        .isPrefix(true)
                                        .withRevision(revisionBefore + 1)
                                        .build(),
                                r.listener()));
            }
            for (JetcdWatchTest.Received r : received) {
                r.await(x -> x.events().size() >= keys.size());
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - grantedAt);
            // within the TTL plus one election timeout, on every member
            assertTrue(tookMs <= 2000 + PROMOTE_EXTEND_MS + SLACK_MS, "expired after " + tookMs + " ms");
            for (JetcdWatchTest.Received r : received) {
                WatchResponse deletions = r.responses().get(0);
                assertEquals(
                        keys,
                        deletions.getEvents().stream()
                                .map(e -> e.getKeyValue().getKey().toString())
                                .toList(),
                        "every member's watcher sees the three deletions in one response");
                for (WatchEvent e : deletions.getEvents()) {
                    assertEquals(WatchEvent.EventType.DELETE, e.getEventType());
                    assertEquals(revisionBefore + 1, e.getKeyValue().getModRevision());
                }
            }
        } finally {
            watchers.forEach(Watch.Watcher::close);
            clients.forEach(Client::close);
        }
    }

    private static CloseableClient keepAlive(Client client, long id) {
        return client.getLeaseClient().keepAlive(id, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
    }

    private static long ttl(Client client, long id) {
        try {
            return client.getLeaseClient()
                    .timeToLive(id, io.etcd.jetcd.options.LeaseOption.DEFAULT)
                    .get(5, TimeUnit.SECONDS)
                    .getTTL();
        } catch (Exception e) {
            return Long.MAX_VALUE; // not answered now (an election): ask again
        }
    }

    /** The number of keys under {@code prefix} on the client's member (serializable); -1 when not answered. */
    private static long count(Client client, String prefix) {
        try {
            return client.getKVClient()
                    .get(
                            bs(prefix),
                            GetOption.builder()
                                    .isPrefix(true)
                                    .withCountOnly(true)
                                    .withSerializable(true)
                                    .build())
                    .get(5, TimeUnit.SECONDS)
                    .getCount();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Serializable reads on the client's member: the key's presence as that member has applied it. */
    private static boolean exists(Client client, String key) {
        try {
            return client.getKVClient()
                            .get(
                                    bs(key),
                                    GetOption.builder().withSerializable(true).build())
                            .get(5, TimeUnit.SECONDS)
                            .getCount()
                    > 0;
        } catch (Exception e) {
            return true; // not answered: no evidence it is gone
        }
    }

    /** Waits until {@code key} is gone; returns System.nanoTime() of the first look that found it gone. */
    private static long awaitGone(Client client, String key, Duration timeout) throws Exception {
        long[] goneAt = new long[1];
        Await.until(timeout, key + " is deleted", () -> {
            if (exists(client, key)) {
                return false;
            }
            goneAt[0] = System.nanoTime();
            return true;
        });
        return goneAt[0];
    }
}
