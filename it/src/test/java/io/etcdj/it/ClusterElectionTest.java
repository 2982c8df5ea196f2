package io.etcdj.it;

import static io.etcdj.it.JetcdLockTest.bytes;
import static io.etcdj.it.JetcdLockTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.election.LeaderKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An election on a 3-member cluster through a kill of the raft leader: candidates on clients spread over the members
 * queue up in campaign order; observers on the two surviving members see the same sequence of leaders and
 * proclaimed values, none missed, while the member that led the raft group dies in the middle of a term.
 */
class ClusterElectionTest {
    private static final int CANDIDATES = 4;
    private static final Duration RETRY_FOR = Duration.ofSeconds(60);

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void observersOnEveryLiveMemberSeeEveryLeaderThroughARaftLeaderKill() throws Exception {
        EtcdCluster cluster = EtcdCluster.start(servers, 3);
        EtcdProcess raftLeader = cluster.leader();
        assertNotNull(raftLeader);
        List<EtcdProcess> followers =
                cluster.members.stream().filter(m -> m != raftLeader).toList();
        List<Client> clients = new ArrayList<>();
        try {
            List<JetcdElectionTest.Seen> observers = new ArrayList<>();
            for (EtcdProcess f : followers) {
                Client c = Client.builder().endpoints(f.clientEndpoint()).build();
                clients.add(c);
                JetcdElectionTest.Seen seen = new JetcdElectionTest.Seen();
                c.getElectionClient().observe(bytes("svc"), seen);
                observers.add(seen);
            }
            List<Client> candidates = new ArrayList<>();
            List<Long> leases = new ArrayList<>();
            List<CompletableFuture<LeaderKey>> wins = new ArrayList<>();
            for (int i = 0; i < CANDIDATES; i++) {
                List<String> endpoints = new ArrayList<>();
                for (int m = 0; m < cluster.members.size(); m++) {
                    endpoints.add(cluster.members
                            .get((i + m) % cluster.members.size())
                            .clientEndpoint());
                }
                Client c = Client.builder()
                        .endpoints(endpoints.toArray(String[]::new))
                        .build();
                clients.add(c);
                candidates.add(c);
                leases.add(get(c.getLeaseClient().grant(120)).getID());
                wins.add(c.getElectionClient()
                        .campaign(bytes("svc"), leases.get(i), bytes("candidate-" + i))
                        .thenApply(r -> r.getLeader()));
                JetcdElectionTest.awaitCandidates(clients.get(0).getKVClient(), i + 1); // campaign order
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < CANDIDATES; i++) {
                Election election = candidates.get(i).getElectionClient();
                String name = "candidate-" + i;
                long lease = leases.get(i);
                // a campaign whose call died with a member is made again on the same lease: it finds its own key
                LeaderKey key = retry(
                        wins.get(i),
                        () -> election.campaign(bytes("svc"), lease, bytes(name))
                                .thenApply(r -> r.getLeader()));
                expected.add(name);
                awaitSeen(observers, expected);
                if (i == 1) {
                    raftLeader.kill(); // mid-term: the election's leader keeps its key, the raft group moves on
                    Await.until(Duration.ofSeconds(30), "a new raft leader", () -> cluster.leader() != null);
                }
                retry(null, () -> election.proclaim(key, bytes(name + "+")));
                expected.add(name + "+");
                awaitSeen(observers, expected);
                retry(null, () -> election.resign(key));
            }
            for (JetcdElectionTest.Seen s : observers) {
                assertEquals(expected, s.values());
                assertEquals(null, s.error());
            }
        } finally {
            clients.forEach(Client::close);
        }
    }

    private static void awaitSeen(List<JetcdElectionTest.Seen> observers, List<String> expected) throws Exception {
        for (JetcdElectionTest.Seen s : observers) {
            Await.until(
                    Duration.ofSeconds(30),
                    "an observer sees " + expected.get(expected.size() - 1),
                    () -> s.values().size() >= expected.size() || s.error() != null);
            assertEquals(expected, s.values(), "an observer's sequence");
        }
    }

    /** Waits for {@code first} (when given), then calls again until an answer comes, pausing on a timer. */
    private static <T> T retry(CompletableFuture<T> first, Supplier<CompletableFuture<T>> call) throws Exception {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        CompletableFuture<T> attempt = first != null ? first : call.get();
        while (true) {
            try {
                return attempt.get(RETRY_FOR.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                        .join();
                attempt = call.get();
            }
        }
    }
}
