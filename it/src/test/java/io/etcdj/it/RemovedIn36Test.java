package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What etcd 3.6 stopped serving, on a real etcdj process, with etcd 3.4.23 run beside it to show the difference is
 * the version's (docs/etcd36.md): client requests on the peer port, and the v2 keys API.
 */
class RemovedIn36Test {
    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void thePeerPortServesNoClientRequests() {
        EtcdProcess etcd = servers.start(EtcdProcess.builder(ServerKind.ETCD).name("old"));
        EtcdProcess etcdj = servers.start(EtcdProcess.builder(ServerKind.ETCDJ).name("new"));

        Etcdctl.Result onEtcd34 = new Etcdctl(hostPort(etcd.peerUrl())).run(null, "put", "k", "v");
        assertEquals(0, onEtcd34.exitCode(), "etcd 3.4 answers clients on its peer port: " + onEtcd34);

        Etcdctl.Result onEtcdj = new Etcdctl(hostPort(etcdj.peerUrl())).run(null, "put", "k", "v");
        assertNotEquals(0, onEtcdj.exitCode(), onEtcdj.toString());
        assertTrue(onEtcdj.stderr().contains("Unimplemented"), onEtcdj.toString());
        // nothing was written through it; the client port still works
        Etcdctl.Result get = new Etcdctl(etcdj.clientHostPort()).run(null, "get", "k", "--print-value-only");
        assertEquals(0, get.exitCode(), get.toString());
        assertEquals("", get.stdout());
    }

    @Test
    void theV2KeysApiIsGone() throws Exception {
        EtcdProcess etcdj = servers.start(EtcdProcess.builder(ServerKind.ETCDJ).name("v2"));
        for (String path : new String[] {"/v2/keys/k", "/v2/members", "/v2/stats/self"}) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(etcdj.clientEndpoint() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), path + ": " + r.body());
        }
        HttpResponse<String> put = http.send(
                HttpRequest.newBuilder(URI.create(etcdj.clientEndpoint() + "/v2/keys/k"))
                        .PUT(HttpRequest.BodyPublishers.ofString("value=v"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, put.statusCode(), put.body());
    }

    private static String hostPort(String url) {
        URI u = URI.create(url);
        return u.getHost() + ":" + u.getPort();
    }
}
