package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Client TLS, with and without client certificates, using etcd's own test certificates. */
class JetcdTlsTest {
    static final Path FIXTURES = Path.of("/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @BeforeAll
    static void needFixtures() {
        Assumptions.assumeTrue(
                Files.isDirectory(FIXTURES), "etcd's TLS fixtures are missing: apt-get install golang-etcd-server-dev");
    }

    EtcdProcess start(String name, boolean clientCertAuth) {
        EtcdProcess.Builder b = EtcdProcess.builder(ServerKind.fromSystemProperty())
                .name(name)
                .clientScheme("https")
                .extraArgs(
                        "--cert-file",
                        FIXTURES.resolve("server.crt").toString(),
                        "--key-file",
                        FIXTURES.resolve("server.key.insecure").toString());
        if (clientCertAuth) {
            b.extraArgs(
                    "--client-cert-auth",
                    "--trusted-ca-file",
                    FIXTURES.resolve("ca.crt").toString());
        }
        return servers.start(b);
    }

    static void putGet(Client client) throws Exception {
        ByteSequence k = ByteSequence.from("tls", StandardCharsets.UTF_8);
        client.getKVClient()
                .put(k, ByteSequence.from("yes", StandardCharsets.UTF_8))
                .get(20, TimeUnit.SECONDS);
        assertEquals(
                "yes",
                client.getKVClient()
                        .get(k)
                        .get(20, TimeUnit.SECONDS)
                        .getKvs()
                        .get(0)
                        .getValue()
                        .toString(StandardCharsets.UTF_8));
    }

    @Test
    void serverCertificateOnly() throws Exception {
        EtcdProcess server = start("tls", false);
        SslContext ssl = GrpcSslContexts.forClient()
                .trustManager(FIXTURES.resolve("ca.crt").toFile())
                .build();
        try (Client client = Client.builder()
                .endpoints(server.clientEndpoint())
                .sslContext(ssl)
                .build()) {
            putGet(client);
        }
    }

    /** etcd's fixture keys are PKCS#1; Netty's client wants PKCS#8. */
    static Path pkcs8(Path key, Path dir) throws Exception {
        Path out = dir.resolve("client-key.pk8");
        Process p = new ProcessBuilder(
                        "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key.toString(), "-out", out.toString())
                .redirectErrorStream(true)
                .start();
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl is needed");
        return out;
    }

    @Test
    void clientCertificateRequired(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        EtcdProcess server = start("mtls", true);
        SslContext withCert = GrpcSslContexts.forClient()
                .trustManager(FIXTURES.resolve("ca.crt").toFile())
                .keyManager(
                        FIXTURES.resolve("server.crt").toFile(),
                        pkcs8(FIXTURES.resolve("server.key.insecure"), tmp).toFile())
                .build();
        try (Client client = Client.builder()
                .endpoints(server.clientEndpoint())
                .sslContext(withCert)
                .build()) {
            putGet(client);
        }
        SslContext noCert = GrpcSslContexts.forClient()
                .trustManager(FIXTURES.resolve("ca.crt").toFile())
                .build();
        try (Client client = Client.builder()
                .endpoints(server.clientEndpoint())
                .sslContext(noCert)
                .connectTimeout(java.time.Duration.ofSeconds(3))
                .build()) {
            assertThrows(
                    Exception.class,
                    () -> client.getKVClient()
                            .get(ByteSequence.from("tls", StandardCharsets.UTF_8))
                            .get(10, TimeUnit.SECONDS));
        }
    }
}
