package io.etcdj.embed;

import static io.etcdj.embed.Clients.get;
import static io.etcdj.embed.Clients.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class EtcdClusterTest {
    private static final Duration LEADER = Duration.ofSeconds(10);

    @Test
    void threeMembersServeEveryEndpointAndCloseDeletesTheirData() throws Exception {
        Path root;
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            root = c.dataDir();
            List<URI> endpoints = c.clientEndpoints();
            assertEquals(3, endpoints.size());
            assertEquals(3, new HashSet<>(endpoints).size());
            for (URI e : endpoints) {
                assertNotEquals(0, e.getPort());
            }
            for (int i = 0; i < 3; i++) {
                try (Client client = Clients.to(c.member(i).clientEndpoint())) {
                    put(client.getKVClient(), "k" + i, "v" + i);
                }
            }
            for (int i = 0; i < 3; i++) {
                try (Client client = Clients.to(c.member(i).clientEndpoint())) {
                    for (int k = 0; k < 3; k++) {
                        assertEquals("v" + k, get(client.getKVClient(), "k" + k, false, 10_000));
                    }
                }
            }
            assertTrue(Files.isDirectory(root));
        }
        assertTrue(Files.notExists(root), "close deletes the temporary data dirs");
    }

    @Test
    void killedLeaderIsReplacedAndRestartsWithEverythingAcknowledged() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember leader = c.awaitLeader(LEADER);
            URI before = leader.clientEndpoint();
            EtcdMember follower =
                    c.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            try (Client client = Clients.to(follower.clientEndpoint())) {
                for (int i = 0; i < 50; i++) {
                    put(client.getKVClient(), "key" + i, "value" + i);
                }
                leader.kill();
                assertTrue(!leader.isRunning());
                EtcdMember next = c.awaitLeader(LEADER);
                assertNotEquals(leader, next);
                put(client.getKVClient(), "after", "kill");
            }
            leader.restart();
            assertEquals(before, leader.clientEndpoint(), "same ports after restart");
            c.awaitLeader(LEADER);
            try (Client client = Clients.to(leader.clientEndpoint())) {
                for (int i = 0; i < 50; i++) {
                    assertEquals("value" + i, get(client.getKVClient(), "key" + i, false, 10_000));
                }
                assertEquals("kill", get(client.getKVClient(), "after", false, 10_000));
            }
        }
    }

    @Test
    void isolatedMemberServesNoLinearizableReadUntilHealed() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember isolated = c.member(2);
            try (Client client = Clients.to(c.member(0).clientEndpoint());
                    Client toIsolated = Clients.to(isolated.clientEndpoint())) {
                put(client.getKVClient(), "k", "before");
                assertEquals("before", get(toIsolated.getKVClient(), "k", false, 10_000)); // applied there too
            }
            isolated.isolate();
            c.awaitLeader(LEADER); // the two others keep (or elect) a leader
            try (Client client = Clients.to(c.member(0).clientEndpoint())) {
                put(client.getKVClient(), "k", "during");
            }
            try (Client client = Clients.to(isolated.clientEndpoint())) {
                // clients still reach it: a serializable read answers from its own (stale) state
                assertEquals("before", get(client.getKVClient(), "k", true, 10_000));
                assertThrows(TimeoutException.class, () -> get(client.getKVClient(), "k", false, 1_500));
            }
            isolated.heal();
            c.awaitLeader(LEADER);
            try (Client client = Clients.to(isolated.clientEndpoint())) {
                assertEquals("during", get(client.getKVClient(), "k", false, 10_000));
            }
        }
    }

    @Test
    void anIsolatedFollowerKeepsNoLeaseAliveThroughItsLeader() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember leader = c.awaitLeader(LEADER);
            EtcdMember follower =
                    c.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            try (Client toLeader = Clients.to(leader.clientEndpoint());
                    Client toFollower = Clients.to(follower.clientEndpoint())) {
                long lease = toLeader.getLeaseClient()
                        .grant(30)
                        .get(10, TimeUnit.SECONDS)
                        .getID();
                // a follower forwards keep-alives to the leader, outside raft's messages
                assertTrue(toFollower
                                .getLeaseClient()
                                .keepAliveOnce(lease)
                                .get(10, TimeUnit.SECONDS)
                                .getTTL()
                        > 0);

                follower.isolate();
                assertThrows(
                        Exception.class,
                        () -> toFollower.getLeaseClient().keepAliveOnce(lease).get(3, TimeUnit.SECONDS),
                        "a partitioned follower cannot reach the leader to renew");
                follower.heal();
                c.awaitLeader(LEADER);
                assertTrue(toFollower
                                .getLeaseClient()
                                .keepAliveOnce(lease)
                                .get(10, TimeUnit.SECONDS)
                                .getTTL()
                        > 0);
            }
        }
    }
}
