package io.etcdj.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The web console's cluster figures on three members: the leader knows how far each member's log is. */
class ConsoleClusterTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static String post(URI member, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(member.resolve(path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return r.body();
    }

    @Test
    void theLeadersConsoleShowsEveryMembersMatchAndAFollowersNone() throws Exception {
        try (EtcdCluster c = EtcdCluster.builder().members(3).start()) {
            EtcdMember leader = c.awaitLeader(Duration.ofSeconds(10));
            post(leader.clientEndpoint(), "/v3/kv/put", "{\"key\":\"YQ==\",\"value\":\"Yg==\"}");
            String raft = post(leader.clientEndpoint(), "/ui/api/v1/raft", "{}");
            Matcher ids = Pattern.compile("\"id\":\"(\\d+)\",\"match\":\"(\\d+)\"").matcher(raft);
            int members = 0;
            while (ids.find()) {
                members++;
                assertTrue(Long.parseLong(ids.group(2)) > 0, raft); // every member holds the bootstrap entries
            }
            assertEquals(3, members, raft);
            EtcdMember follower = c.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            String mine = post(follower.clientEndpoint(), "/ui/api/v1/raft", "{}");
            assertTrue(mine.contains("\"members\":[]"), mine);
            // the console's reads on a follower are linearizable too: the key written on the leader is there
            String children = post(follower.clientEndpoint(), "/ui/api/v1/children", "{}");
            assertTrue(children.contains("\"key\":\"YQ==\""), children);
        }
    }
}
