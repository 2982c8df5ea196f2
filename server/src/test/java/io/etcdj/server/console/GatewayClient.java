package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A member's JSON gateway and console API over HTTP, as a test client (token in the Authorization header). */
final class GatewayClient {
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    /** Set by {@link #login}; the test's thread only. */
    private String token;

    GatewayClient(String base) {
        this.base = base;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return post(path, json, token);
    }

    HttpResponse<String> post(String path, String json, String withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (withToken != null) {
            b.header("Authorization", withToken);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A call that must succeed; its body. */
    String ok(String path, String json) throws Exception {
        HttpResponse<String> r = post(path, json);
        assertEquals(200, r.statusCode(), path + " " + json + " -> " + r.body());
        return r.body();
    }

    /** Puts key = value; the new revision. */
    long put(String key, String value) throws Exception {
        String body = ok("/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
        return Long.parseLong(field(body, "revision"));
    }

    /** Root (password given) and a user with read access to one prefix only; auth on; logs in as root. */
    void enableAuth(
            String rootPassword, String reader, String readerPassword, String readablePrefix, String readableEnd)
            throws Exception {
        ok("/v3/auth/role/add", "{\"name\":\"root\"}");
        ok("/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"" + rootPassword + "\"}");
        ok("/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
        ok("/v3/auth/role/add", "{\"name\":\"reader\"}");
        ok(
                "/v3/auth/role/grant",
                "{\"name\":\"reader\",\"perm\":{\"permType\":\"READ\",\"key\":\"" + b64(readablePrefix)
                        + "\",\"range_end\":\"" + b64(readableEnd) + "\"}}");
        ok("/v3/auth/user/add", "{\"name\":\"" + reader + "\",\"password\":\"" + readerPassword + "\"}");
        ok("/v3/auth/user/grant", "{\"user\":\"" + reader + "\",\"role\":\"reader\"}");
        ok("/v3/auth/enable", "{}");
        token = login("root", rootPassword);
    }

    /** A token for the user. */
    String login(String user, String password) throws Exception {
        HttpResponse<String> r =
                post("/v3/auth/authenticate", "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}", null);
        assertEquals(200, r.statusCode(), r.body());
        return field(r.body(), "token");
    }

    /** A string field's first value in a JSON text (the gateway prints int64s as strings). */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
