package io.etcdj.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The web console's cluster figures on three members: the leader knows how far each member's log is, and any
 * member reports every member's Status (asked over the peer port), a killed one as unhealthy within the deadline.
 */
class ConsoleClusterTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static String post(URI member, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(member.resolve(path))
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return r.body();
    }

    @Test
    void theLeadersConsoleShowsEveryMembersMatchAndAFollowersNone() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember leader = c.awaitLeader(Duration.ofSeconds(10));
            post(leader.clientEndpoint(), "/v3/kv/put", "{\"key\":\"YQ==\",\"value\":\"Yg==\"}");
            String raft = post(leader.clientEndpoint(), "/ui/api/v1/raft", "{}");
            Matcher ids =
                    Pattern.compile("\"id\":\"(\\d+)\",\"match\":\"(\\d+)\"").matcher(raft);
            int members = 0;
            while (ids.find()) {
                members++;
                assertTrue(Long.parseLong(ids.group(2)) > 0, raft); // every member holds the bootstrap entries
            }
            assertEquals(3, members, raft);
            EtcdMember follower =
                    c.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            String mine = post(follower.clientEndpoint(), "/ui/api/v1/raft", "{}");
            assertTrue(mine.contains("\"members\":[]"), mine);
            // the console's reads on a follower are linearizable too: the key written on the leader is there
            String children = post(follower.clientEndpoint(), "/ui/api/v1/children", "{}");
            assertTrue(children.contains("\"key\":\"YQ==\""), children);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTPS client trusting the cluster's CA. */
    private static HttpClient https(EtcdCluster c) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(c.caFile())) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl)
                .build();
    }

    private static HttpResponse<String> post(HttpClient http, URI member, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(member.resolve(path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The members endpoint's rows by member ID, from {@code member} as {@code token}'s user. */
    private static Map<String, JsonNode> members(HttpClient http, URI member, String token) throws Exception {
        HttpResponse<String> r = post(http, member, "/ui/api/v1/members", "{}", token);
        assertEquals(200, r.statusCode(), r.body());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode n : JSON.readTree(r.body()).get("members")) {
            rows.put(n.get("id").asText(), n);
        }
        return rows;
    }

    @Test
    void everyMembersStatusWithTlsAndAuthOnAndAKilledMemberUnhealthyWithinTheDeadline() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder()
                .members(3)
                .tls(EtcdTls.selfSigned())
                .auth("admin", "secret")
                .start()) {
            HttpClient http = https(c);
            EtcdMember leader = c.awaitLeader(Duration.ofSeconds(10));
            EtcdMember follower =
                    c.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            EtcdMember victim = c.members().stream()
                    .filter(m -> m != leader && m != follower)
                    .findFirst()
                    .orElseThrow();
            HttpResponse<String> login = post(
                    http,
                    follower.clientEndpoint(),
                    "/v3/auth/authenticate",
                    "{\"name\":\"admin\",\"password\":\"secret\"}",
                    null);
            assertEquals(200, login.statusCode(), login.body());
            String token = JSON.readTree(login.body()).get("token").asText();
            assertEquals(
                    400,
                    post(http, follower.clientEndpoint(), "/ui/api/v1/members", "{}", null)
                            .statusCode());

            // every member answers, each with its own figures; the leader is the one they all name
            Map<String, JsonNode> rows = members(http, follower.clientEndpoint(), token);
            assertEquals(3, rows.size(), rows.toString());
            for (EtcdMember m : c.members()) {
                JsonNode row = rows.get(Long.toUnsignedString(m.id()));
                assertTrue(row.get("healthy").asBoolean(), row.toString());
                JsonNode status = row.get("status");
                assertEquals(
                        Long.toUnsignedString(leader.id()), status.get("leader").asText(), row.toString());
                assertTrue(status.get("raftTerm").asLong() >= 2, row.toString());
                assertTrue(status.get("raftAppliedIndex").asLong() > 0, row.toString());
                assertTrue(status.get("dbSize").asLong() > 0, row.toString());
                assertTrue(status.has("version"), row.toString());
                assertEquals(m == follower, row.path("self").asBoolean(), row.toString());
            }

            // an isolated member (cut from its peers): unhealthy at once, with why; healed: healthy again
            victim.isolate();
            long isolatedAt = System.nanoTime();
            rows = members(http, leader.clientEndpoint(), token);
            long isolatedMs = (System.nanoTime() - isolatedAt) / 1_000_000;
            JsonNode cut = rows.get(Long.toUnsignedString(victim.id()));
            assertTrue(
                    !cut.get("healthy").asBoolean() && cut.get("error").asText().startsWith("UNAVAILABLE"),
                    cut.toString());
            assertTrue(isolatedMs < 3000, "the members view took " + isolatedMs + " ms with a member isolated");
            victim.heal();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!members(http, leader.clientEndpoint(), token)
                    .get(Long.toUnsignedString(victim.id()))
                    .get("healthy")
                    .asBoolean()) {
                assertTrue(System.nanoTime() < deadline, "the healed member never showed healthy again");
                Thread.onSpinWait();
            }

            // a killed member: unhealthy, with why, and the answer comes within about the one-second deadline
            victim.kill();
            long start = System.nanoTime();
            rows = members(http, leader.clientEndpoint(), token);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            JsonNode dead = rows.get(Long.toUnsignedString(victim.id()));
            assertTrue(!dead.get("healthy").asBoolean() && !dead.has("status"), dead.toString());
            assertTrue(
                    dead.get("error").asText().startsWith("UNAVAILABLE")
                            || dead.get("error").asText().startsWith("DEADLINE_EXCEEDED"),
                    dead.toString());
            assertTrue(tookMs < 3000, "the members view took " + tookMs + " ms with a member down");
            System.out.printf(
                    "members view: %d ms with a member isolated, %d ms with one killed (%s)%n",
                    isolatedMs, tookMs, dead.get("error").asText());
            assertTrue(
                    rows.get(Long.toUnsignedString(follower.id()))
                            .get("healthy")
                            .asBoolean(),
                    rows.toString());
            assertTrue(
                    rows.get(Long.toUnsignedString(leader.id())).get("healthy").asBoolean(), rows.toString());
        }
    }
}
