package io.etcdj.server.console;

import static io.etcdj.server.console.GatewayClient.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.http.ClientPort;
import io.etcdj.server.http.MemberHttp;
import io.etcdj.server.http.TlsSettings;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console on a real member's client port: its pages' headers, and its API's auth, limits and errors. */
class ConsoleApiTest {
    @TempDir
    Path dir;

    EtcdjServer server;
    GatewayClient client;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        client = new GatewayClient("http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void thePageComesFromTheMemberWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = client.get("/ui/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script type=\"module\" src=\"js/app.js\"></script>"), page.body());
        String csp = page.headers().firstValue("content-security-policy").orElse("");
        assertTrue(
                csp.contains("default-src 'self'")
                        && csp.contains("frame-ancestors 'none'")
                        && !csp.contains("unsafe-inline")
                        && !csp.contains("unsafe-eval"),
                csp);
        assertEquals(
                "nosniff", page.headers().firstValue("x-content-type-options").orElse(""));
        HttpResponse<String> js = client.get("/ui/js/app.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("content-type").orElse("").startsWith("application/javascript"));
        assertEquals(307, client.get("/ui").statusCode());
        assertEquals(404, client.get("/ui/no-such-file.js").statusCode());
    }

    @Test
    void everyReadIsCheckedAsARangeOfTheSameKeysIs() throws Exception {
        client.put("/app/a/1", "x");
        client.put("/app/b", "y");
        client.put("/other/secret", "z");
        assertEquals("{\"auth_enabled\":false,\"user\":\"\"}", client.ok("/ui/api/v1/whoami", "{}"));
        client.enableAuth("rootpw", "alice", "alicepw", "/app/", "/app0");
        String alice = client.login("alice", "alicepw");
        assertEquals(
                "{\"auth_enabled\":true,\"user\":\"alice\"}",
                client.post("/ui/api/v1/whoami", "{}", alice).body());
        assertEquals(
                "{\"auth_enabled\":true,\"user\":\"\"}",
                client.post("/ui/api/v1/whoami", "{}", null).body());
        HttpResponse<String> mine = client.post("/ui/api/v1/children", "{\"prefix\":\"" + b64("/app/") + "\"}", alice);
        assertEquals(200, mine.statusCode(), mine.body());
        assertTrue(mine.body().contains(b64("/app/a/")) && mine.body().contains(b64("/app/b")), mine.body());
        HttpResponse<String> root = client.post("/ui/api/v1/children", "{}", alice);
        assertEquals(403, root.statusCode(), root.body()); // the whole keyspace: not alice's
        assertTrue(root.body().contains("etcdserver: permission denied"), root.body());
        HttpResponse<String> search = client.post("/ui/api/v1/search", "{\"text\":\"secret\"}", alice);
        assertEquals(403, search.statusCode(), search.body());
        HttpResponse<String> sneaky = client.post(
                "/ui/api/v1/search",
                "{\"key\":\"" + b64("/app/") + "\",\"text\":\"s\",\"continue\":\"" + b64("/") + "\"}",
                alice);
        assertEquals(400, sneaky.statusCode(), sneaky.body()); // a continue key outside the range checked
        assertEquals(403, client.post("/ui/api/v1/usage", "{}", alice).statusCode()); // root only
        assertEquals(200, client.post("/ui/api/v1/usage", "{}").statusCode()); // as root
        assertEquals(403, client.post("/ui/api/v1/raft", "{}", alice).statusCode()); // root only
        String raft = client.ok("/ui/api/v1/raft", "{}"); // a single member leads: its own progress, no lag
        assertTrue(raft.matches(".*\"members\":\\[\\{\"id\":\"[0-9]+\",\"match\":\"[0-9]+\",\"lag\":\"0\".*"), raft);
        assertEquals(403, client.post("/ui/api/v1/members", "{}", alice).statusCode()); // root only
        String members = client.ok("/ui/api/v1/members", "{}"); // one member: itself, asked without a call
        assertTrue(
                members.matches(
                        ".*\"members\":\\[\\{\"id\":\"[0-9]+\",\"name\":\"[^\"]*\",\"self\":true,.*"
                                + "\"healthy\":true,\"status\":\\{.*\"raftTerm\":\"[1-9][0-9]*\".*\"raftAppliedIndex\":\"[1-9].*"),
                members);
        HttpResponse<String> none = client.post("/ui/api/v1/children", "{}", null);
        assertEquals(400, none.statusCode(), none.body());
        assertTrue(none.body().contains("user name is empty"), none.body());
        HttpResponse<String> forged = client.post("/ui/api/v1/children", "{}", "forged.token");
        assertEquals(401, forged.statusCode(), forged.body());
    }

    @Test
    void badParametersAndOversizedRequestsAreRefusedWithTheGatewaysErrors() throws Exception {
        HttpResponse<String> regex = client.post("/ui/api/v1/search", "{\"text\":\"(\",\"regex\":true}");
        assertEquals(400, regex.statusCode());
        assertTrue(
                regex.body().contains("invalid regular expression")
                        && regex.body().contains("\"code\":3"),
                regex.body());
        assertEquals(
                400, client.post("/ui/api/v1/children", "{\"limit\":100000}").statusCode());
        assertEquals(
                400, client.post("/ui/api/v1/children", "{\"prefix\":\"***\"}").statusCode());
        assertEquals(400, client.post("/ui/api/v1/children", "[1]").statusCode());
        assertEquals(400, client.post("/ui/api/v1/search", "{\"text\":\"\"}").statusCode());
        HttpResponse<String> big = client.post("/ui/api/v1/search", "{\"text\":\"" + "a".repeat(70_000) + "\"}");
        assertEquals(413, big.statusCode(), big.body());
        assertEquals(405, client.get("/ui/api/v1/children").statusCode());
        assertEquals(404, client.post("/ui/api/v1/nothing", "{}").statusCode());
        long rev = client.put("/k", "v");
        client.ok("/v3/kv/compaction", "{\"revision\":\"" + rev + "\"}");
        HttpResponse<String> compacted = client.post("/ui/api/v1/children", "{\"revision\":\"" + (rev - 1) + "\"}");
        assertEquals(400, compacted.statusCode(), compacted.body());
        assertTrue(compacted.body().contains("compacted"), compacted.body());
    }

    @Test
    void searchPagesEndAtTheScanBudgetWithAContinueKey() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.put("/s/" + (char) ('a' + i), "v");
        }
        String body = client.ok("/ui/api/v1/search", "{\"text\":\"zzz\",\"max_keys\":5}");
        assertEquals("5", GatewayClient.field(body, "scanned"));
        assertEquals("/s/f", GatewayClient.unb64(GatewayClient.field(body, "continue")));
        String next =
                client.ok("/ui/api/v1/search", "{\"text\":\"/s/\",\"limit\":3,\"continue\":\"" + b64("/s/f") + "\"}");
        assertTrue(
                next.contains("\"hits\":[{\"key\":\"" + b64("/s/f") + "\"},{\"key\":\"" + b64("/s/g")
                        + "\"},{\"key\":\"" + b64("/s/h") + "\"}]"),
                next);
        assertEquals("/s/i", GatewayClient.unb64(GatewayClient.field(next, "continue")));
    }

    @Test
    void withoutTheConsoleUiIsNotServed() throws Exception {
        ClientPort port = ClientPort.start(
                List.of(URI.create("http://127.0.0.1:0")),
                TlsSettings.NONE,
                List.of(),
                List.of(),
                1 << 20,
                0,
                true,
                MemberHttp.basic());
        try {
            GatewayClient bare = new GatewayClient("http://127.0.0.1:" + port.activePort(SessionProtocol.HTTP));
            assertEquals(404, bare.get("/ui/").statusCode());
            assertEquals(404, bare.post("/ui/api/v1/children", "{}").statusCode());
        } finally {
            port.close();
        }
    }
}
