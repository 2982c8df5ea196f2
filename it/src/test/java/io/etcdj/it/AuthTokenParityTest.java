package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthGrpc;
import io.etcdj.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdj.api.etcdserverpb.AuthenticateRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.WatchCreateRequest;
import io.etcdj.api.etcdserverpb.WatchGrpc;
import io.etcdj.api.etcdserverpb.WatchRequest;
import io.etcdj.api.etcdserverpb.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tokens as etcd judges them, compared with the real etcd 3.4 over gRPC and the JSON gateway: no token, a token
 * nobody issued, an expired JWT, a user without the permission, a user with it, root; each runs a Range, a Put and
 * a Watch over gRPC and a range and a put over HTTP (token in the Authorization header). Every answer (gRPC code
 * and message, watch response, HTTP status and body) must be the same from both servers. Both run with etcd's
 * JWT test keys and a three-second token lifetime, so the expired token is a real one (the others are made
 * afresh for each call).
 */
class AuthTokenParityTest {
    private static final Path FIXTURES = Path.of("/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures");
    private static final String PASSWORD = "pw";
    private static final ByteString FOO = ByteString.copyFromUtf8("foo");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private static <S extends AbstractStub<S>> S as(S stub, String token) {
        if (token == null) {
            return stub;
        }
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER), token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    private static String outcome(Supplier<Object> call) {
        try {
            return "OK " + call.get().toString().replaceAll("\\s+", " ");
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + " " + e.getStatus().getDescription();
        }
    }

    @Test
    void everyKindOfTokenGetsEtcdsAnswerOverGrpcAndHttp() throws Exception {
        Assumptions.assumeTrue(
                Files.isRegularFile(FIXTURES.resolve("server.key.insecure")),
                "etcd's test fixtures (the etcd source package) are needed for the JWT keys");
        String jwt = "jwt,pub-key=" + FIXTURES.resolve("server.crt") + ",priv-key="
                + FIXTURES.resolve("server.key.insecure") + ",sign-method=RS256,ttl=3s";
        EtcdProcess reference = servers.start(EtcdctlParityTest.sharedIdentity(EtcdProcess.builder(ServerKind.ETCD))
                .extraArgs("--auth-token", jwt));
        EtcdProcess candidate =
                servers.start(EtcdctlParityTest.sharedIdentity(EtcdProcess.builder(ServerKind.fromSystemProperty()))
                        .extraArgs("--auth-token", jwt));
        Map<String, String> expected = answers(reference);
        Map<String, String> actual = answers(candidate);
        assertEquals(expected.keySet(), actual.keySet());
        List<String> differences = new ArrayList<>();
        expected.forEach((what, answer) -> {
            if (!answer.equals(actual.get(what))) {
                differences.add(what + "\n  etcd:  " + answer + "\n  etcdj: " + actual.get(what));
            }
        });
        assertEquals(List.of(), differences);
    }

    private Map<String, String> answers(EtcdProcess server) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.clientPort())
                .usePlaintext()
                .build();
        try {
            AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel);
            for (String user : List.of("root", "alice", "bob")) {
                auth.userAdd(AuthUserAddRequest.newBuilder()
                        .setName(user)
                        .setPassword(PASSWORD)
                        .build());
            }
            auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder()
                    .setUser("root")
                    .setRole("root")
                    .build());
            auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("rw").build());
            auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
                    .setName("rw")
                    .setPerm(Permission.newBuilder().setKey(FOO).setPermType(Permission.Type.READWRITE))
                    .build());
            auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder()
                    .setUser("bob")
                    .setRole("rw")
                    .build());
            auth.authEnable(AuthEnableRequest.getDefaultInstance());

            Map<String, Supplier<String>> tokens = new LinkedHashMap<>();
            tokens.put("no token", () -> null);
            tokens.put("a token nobody issued", () -> "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
            String expired = token(auth, "bob");
            KVGrpc.KVBlockingStub probe = as(KVGrpc.newBlockingStub(channel), expired);
            Await.until(
                    Duration.ofSeconds(20),
                    "bob's three-second token to expire",
                    () -> !outcome(() -> probe.range(
                                    RangeRequest.newBuilder().setKey(FOO).build()))
                            .startsWith("OK"));
            tokens.put("an expired token", () -> expired);
            tokens.put("alice (no permission)", () -> token(auth, "alice"));
            tokens.put("bob (read-write on foo)", () -> token(auth, "bob"));
            tokens.put("root", () -> token(auth, "root"));

            Map<String, String> answers = new LinkedHashMap<>();
            for (Map.Entry<String, Supplier<String>> t : tokens.entrySet()) {
                String who = t.getKey();
                String token = t.getValue().get();
                KVGrpc.KVBlockingStub kv = as(KVGrpc.newBlockingStub(channel), token);
                answers.put(
                        who + ": gRPC Put foo",
                        outcome(() -> kv.put(PutRequest.newBuilder()
                                        .setKey(FOO)
                                        .setValue(ByteString.copyFromUtf8(who))
                                        .build())
                                .getHeader()
                                .getRevision()));
                answers.put(
                        who + ": gRPC Range foo",
                        outcome(() -> as(
                                        KVGrpc.newBlockingStub(channel),
                                        t.getValue().get())
                                .range(RangeRequest.newBuilder().setKey(FOO).build())
                                .getKvsCount()));
                answers.put(
                        who + ": gRPC Watch foo",
                        firstWatchResponse(
                                as(WatchGrpc.newStub(channel), t.getValue().get())));
                answers.put(
                        who + ": HTTP /v3/kv/put",
                        post(
                                server,
                                "/v3/kv/put",
                                "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}",
                                t.getValue().get()));
                answers.put(
                        who + ": HTTP /v3/kv/range",
                        post(
                                server,
                                "/v3/kv/range",
                                "{\"key\":\"Zm9v\"}",
                                t.getValue().get()));
            }
            return answers;
        } finally {
            channel.shutdownNow();
        }
    }

    private static String token(AuthGrpc.AuthBlockingStub auth, String user) {
        return auth.authenticate(AuthenticateRequest.newBuilder()
                        .setName(user)
                        .setPassword(PASSWORD)
                        .build())
                .getToken();
    }

    /** The first response to a watch create on foo: created, or cancelled with its reason. */
    private static String firstWatchResponse(WatchGrpc.WatchStub watch) throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        StreamObserver<WatchRequest> requests = watch.watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                first.complete("created=" + r.getCreated() + " canceled=" + r.getCanceled() + " reason="
                        + r.getCancelReason());
            }

            @Override
            public void onError(Throwable t) {
                first.complete("error " + t.getMessage());
            }

            @Override
            public void onCompleted() {
                first.complete("completed");
            }
        });
        requests.onNext(WatchRequest.newBuilder()
                .setCreateRequest(WatchCreateRequest.newBuilder().setKey(FOO))
                .build());
        try {
            return first.get(20, TimeUnit.SECONDS);
        } finally {
            requests.onCompleted();
        }
    }

    private String post(EtcdProcess server, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + server.clientHostPort() + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().strip();
    }
}
