package io.etcdj.embed;

import static io.etcdj.embed.Clients.get;
import static io.etcdj.embed.Clients.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.Client;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class TlsAuthTest {
    @Test
    void tlsClusterServesClientsThatTrustItsCa() throws Exception {
        try (EtcdCluster c =
                EtcdCluster.builder().members(1).tls(EtcdTls.selfSigned()).start()) {
            assertEquals("https", c.clientEndpoints().getFirst().getScheme());
            SslContext ssl = GrpcSslContexts.forClient()
                    .trustManager(c.caFile().toFile())
                    .build();
            try (Client client = Client.builder()
                    .endpoints(c.clientEndpoints().getFirst())
                    .sslContext(ssl)
                    .build()) {
                put(client.getKVClient(), "k", "v");
                assertEquals("v", get(client.getKVClient(), "k", false, 10_000));
            }
        }
    }

    @Test
    void authClusterRefusesAnonymousAndServesTheUser() throws Exception {
        try (EtcdCluster c =
                EtcdCluster.builder().members(1).auth("alice", "secret").start()) {
            try (Client alice = Client.builder()
                    .endpoints(c.clientEndpoints().getFirst())
                    .user(Clients.bytes("alice"))
                    .password(Clients.bytes("secret"))
                    .build()) {
                put(alice.getKVClient(), "k", "v");
                assertEquals("v", get(alice.getKVClient(), "k", false, 10_000));
            }
            try (Client anonymous = Clients.to(c.clientEndpoints().getFirst())) {
                assertThrows(ExecutionException.class, () -> put(anonymous.getKVClient(), "k", "x"));
            }
        }
    }
}
