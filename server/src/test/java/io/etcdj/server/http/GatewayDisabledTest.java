package io.etcdj.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.linecorp.armeria.common.SessionProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --enable-grpc-gateway=false: no JSON gateway on the client port (etcd answers 404), the rest as usual. */
class GatewayDisabledTest {
    @Test
    void gatewayPathsAnswer404AndTheOtherEndpointsStay() throws Exception {
        ClientPort port = ClientPort.start(
                List.of(URI.create("http://127.0.0.1:0")),
                TlsSettings.NONE,
                List.of(),
                List.of(),
                1 << 20,
                0,
                false,
                MemberHttp.basic());
        try {
            String base = "http://127.0.0.1:" + port.activePort(SessionProtocol.HTTP);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (String path : List.of("/v3/kv/range", "/v3beta/kv/range")) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"YQ==\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, r.statusCode(), path);
                assertEquals("404 page not found\n", r.body()); // etcd's text
                assertEquals(
                        "*",
                        r.headers().firstValue("access-control-allow-origin").orElse(""));
            }
            HttpResponse<String> version = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/version"))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, version.statusCode());
        } finally {
            port.close();
        }
    }
}
