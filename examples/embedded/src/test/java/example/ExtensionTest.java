package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.Client;
import io.etcdj.junit.EtcdClusterExtension;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension, registered as with jetcd-test (only the import differs). */
class ExtensionTest {
    @RegisterExtension
    static final EtcdClusterExtension cluster = EtcdClusterExtension.builder().withNodes(3).build();

    @Test
    void everyEndpointServesAndFaultsGoThroughCluster() throws Exception {
        try (Client client = Client.builder().endpoints(cluster.clientEndpoints().toArray(URI[]::new)).build()) {
            EmbeddedClusterTest.put(client.getKVClient(), "greeting", "hello");
        }
        cluster.cluster().member(1).pause();
        cluster.cluster().awaitLeader(Duration.ofSeconds(10));
        try (Client client = Client.builder().endpoints(cluster.clientEndpoints().get(0)).build()) {
            EmbeddedClusterTest.put(client.getKVClient(), "greeting", "hello again");
        }
        cluster.cluster().member(1).resume();
        cluster.cluster().awaitLeader(Duration.ofSeconds(10));
        try (Client client = Client.builder().endpoints(cluster.clientEndpoints().get(1)).build()) {
            assertEquals("hello again", EmbeddedClusterTest.get(client.getKVClient(), "greeting", false));
        }
    }
}
