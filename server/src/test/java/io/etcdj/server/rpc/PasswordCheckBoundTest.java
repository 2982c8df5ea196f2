package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthGrpc;
import io.etcdj.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdj.api.etcdserverpb.AuthenticateRequest;
import io.etcdj.api.etcdserverpb.AuthenticateResponse;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticate needs no credentials and costs a bcrypt check: a flood of them is bounded (refused with "too many
 * requests" beyond the bcrypt pool's queue) and runs on its own pool, so reads are served meanwhile.
 */
class PasswordCheckBoundTest {
    private static final int FLOOD = 400;

    @TempDir
    Path dir;

    EtcdjServer server;
    String uri;
    AuthGrpc.AuthBlockingStub auth;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        uri = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        auth = GrpcClients.newClient(uri, AuthGrpc.AuthBlockingStub.class);
        auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("root").build());
        auth.userAdd(AuthUserAddRequest.newBuilder()
                .setName("root")
                .setPassword("secret")
                .build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder()
                .setUser("root")
                .setRole("root")
                .build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static AuthenticateRequest root() {
        return AuthenticateRequest.newBuilder()
                .setName("root")
                .setPassword("secret")
                .build();
    }

    @Test
    void aFloodOfAuthenticatesIsRefusedBeyondTheBoundAndReadsAreServedMeanwhile() throws Exception {
        String token = auth.authenticate(root()).getToken();
        KVGrpc.KVBlockingStub kv =
                GrpcClients.builder(uri).addHeader("token", token).build(KVGrpc.KVBlockingStub.class);
        kv.put(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("k"))
                .setValue(ByteString.copyFromUtf8("v"))
                .build());

        AuthGrpc.AuthStub async = GrpcClients.newClient(uri, AuthGrpc.AuthStub.class);
        List<CompletableFuture<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            outcomes.add(outcome);
            async.authenticate(root(), new StreamObserver<>() {
                @Override
                public void onNext(AuthenticateResponse r) {
                    outcome.complete("OK");
                }

                @Override
                public void onError(Throwable t) {
                    Status s = Status.fromThrowable(t);
                    outcome.complete(s.getCode() + " " + s.getDescription());
                }

                @Override
                public void onCompleted() {}
            });
        }
        // reads go on while the bcrypt pool is saturated
        long slowestReadMs = 0;
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            assertEquals(
                    1,
                    kv.range(RangeRequest.newBuilder()
                                    .setKey(ByteString.copyFromUtf8("a"))
                                    .setRangeEnd(ByteString.copyFromUtf8("z"))
                                    .build())
                            .getCount());
            slowestReadMs = Math.max(slowestReadMs, (System.nanoTime() - start) / 1_000_000);
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (CompletableFuture<String> o : outcomes) {
            counts.merge(o.get(60, TimeUnit.SECONDS), 1, Integer::sum);
        }
        System.out.printf(
                "%d Authenticates at once: %s; slowest of 20 ranges meanwhile: %d ms%n", FLOOD, counts, slowestReadMs);
        int refused = counts.getOrDefault("RESOURCE_EXHAUSTED etcdserver: too many requests", 0);
        int ok = counts.getOrDefault("OK", 0);
        assertTrue(refused > 0, "a flood beyond the bound must be refused: " + counts);
        assertTrue(ok > 0, "what fits is served: " + counts);
        assertEquals(FLOOD, ok + refused, "no other answer: " + counts);
        assertTrue(slowestReadMs < 2000, "reads must not wait behind password checks: " + slowestReadMs + " ms");
        // once the flood has passed, a password check is taken again
        assertTrue(auth.authenticate(root()).getToken().length() > 0);
    }
}
