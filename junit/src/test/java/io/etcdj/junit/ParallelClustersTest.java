package io.etcdj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcdj.embed.EtcdCluster;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Methods run at the same time, each with a 3-member cluster of its own: no port clashes, no shared state. */
@Execution(ExecutionMode.CONCURRENT)
class ParallelClustersTest {
    @RegisterExtension
    final EtcdClusterExtension cluster =
            EtcdClusterExtension.builder().withNodes(3).build();

    @RepeatedTest(4)
    void ownCluster() throws Exception {
        EtcdCluster c = cluster.cluster();
        String mine = c.name();
        Kv.put(c.member(0).clientEndpoint(), "owner", mine);
        c.member(1).kill();
        c.awaitLeader(Duration.ofSeconds(10));
        c.member(1).restart();
        c.awaitLeader(Duration.ofSeconds(10));
        assertEquals(mine, Kv.get(c.member(1).clientEndpoint(), "owner"));
    }
}
