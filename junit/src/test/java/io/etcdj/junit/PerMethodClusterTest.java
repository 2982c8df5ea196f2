package io.etcdj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.grpc.netty.GrpcSslContexts;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance field: a fresh cluster for every method. */
class PerMethodClusterTest {
    @RegisterExtension
    final EtcdClusterExtension cluster = EtcdClusterExtension.builder()
            .withNodes(1)
            .withAdditionalArgs(List.of("--max-txn-ops", "3"))
            .build();

    @RepeatedTest(2)
    void eachMethodStartsEmpty() throws Exception {
        assertNull(Kv.get(cluster.clientEndpoints().getFirst(), "left-over"));
        Kv.put(cluster.clientEndpoints().getFirst(), "left-over", "x");
    }

    @Test
    void additionalArgsReachTheMembers() throws Exception {
        try (Client c =
                Client.builder().endpoints(cluster.clientEndpoints().getFirst()).build()) {
            var txn = c.getKVClient().txn();
            for (int i = 0; i < 4; i++) {
                txn = txn.Then(
                        io.etcd.jetcd.op.Op.put(bytes("k" + i), bytes("v"), io.etcd.jetcd.options.PutOption.DEFAULT));
            }
            var commit = txn.commit();
            // etcd: "too many operations in txn request" past --max-txn-ops
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> commit.get(10, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("too many operations in txn request"), e.getMessage());
        }
    }

    private static io.etcd.jetcd.ByteSequence bytes(String s) {
        return io.etcd.jetcd.ByteSequence.from(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** withSsl(true): https endpoints, and the CA to trust. */
    static class Ssl {
        @RegisterExtension
        final EtcdClusterExtension tls =
                EtcdClusterExtension.builder().withSsl(true).build();

        @Test
        void servesTls() throws Exception {
            assertEquals("https", tls.clientEndpoints().getFirst().getScheme());
            var ssl = GrpcSslContexts.forClient()
                    .trustManager(tls.caFile().toFile())
                    .build();
            try (Client c = Client.builder()
                    .endpoints(tls.clientEndpoints())
                    .sslContext(ssl)
                    .build()) {
                c.getKVClient().put(bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS);
            }
        }
    }
}
