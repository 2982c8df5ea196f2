package io.etcdj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.etcdj.embed.EtcdMember;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A static field: one cluster for the class, its data shared by the methods. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassClusterTest {
    @RegisterExtension
    static final EtcdClusterExtension cluster =
            EtcdClusterExtension.builder().withNodes(3).build();

    /** The endpoints the first method saw. */
    private static List<URI> firstEndpoints;

    @Test
    @Order(1)
    void everyMemberServes() throws Exception {
        firstEndpoints = cluster.clientEndpoints();
        assertEquals(3, firstEndpoints.size());
        assertEquals(3, cluster.peerEndpoints().size());
        for (int i = 0; i < 3; i++) {
            Kv.put(firstEndpoints.get(i), "k" + i, "v" + i);
        }
        for (URI e : firstEndpoints) {
            assertEquals("v2", Kv.get(e, "k2"));
        }
        assertSame(cluster.cluster(), EtcdClusterExtension.cluster(cluster.clusterName()));
    }

    @Test
    @Order(2)
    void sameClusterInTheNextMethodAndRestartKeepsData() throws Exception {
        assertEquals(firstEndpoints, cluster.clientEndpoints());
        assertEquals("v0", Kv.get(cluster.clientEndpoints().get(1), "k0"));
        cluster.restart();
        assertEquals(firstEndpoints, cluster.clientEndpoints());
        assertEquals("v1", Kv.get(cluster.clientEndpoints().get(2), "k1"));
        cluster.restart(100, TimeUnit.MILLISECONDS);
        assertEquals("v2", Kv.get(cluster.clientEndpoints().get(0), "k2"));
    }

    @Test
    @Order(3)
    void faultsThroughCluster() throws Exception {
        EtcdMember leader = cluster.cluster().awaitLeader(Duration.ofSeconds(10));
        leader.kill();
        EtcdMember next = cluster.cluster().awaitLeader(Duration.ofSeconds(10));
        assertNotNull(next);
        Kv.put(next.clientEndpoint(), "after", "kill");
        leader.restart();
        cluster.cluster().awaitLeader(Duration.ofSeconds(10));
        assertEquals("kill", Kv.get(leader.clientEndpoint(), "after"));
    }
}
