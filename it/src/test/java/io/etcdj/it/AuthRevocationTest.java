package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthGrpc;
import io.etcdj.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionRequest;
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
import io.etcdj.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Revoking a permission while a user writes and watches: from the point where the revocation is applied, none of
 * the user's writes goes through and their watch is cancelled. Also: a run that authenticates never writes a
 * password or a token to the server's log.
 */
class AuthRevocationTest {
    private static final String PASSWORD = "pw-9f3c1e-never-logged";
    private static final ByteString PREFIX = ByteString.copyFromUtf8("k/");
    private static final ByteString PREFIX_END = ByteString.copyFromUtf8("k0");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    private ManagedChannel channel;

    @AfterEach
    void closeChannel() {
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    private static <S extends AbstractStub<S>> S as(S stub, String token) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER), token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    @Test
    void afterARevocationIsAppliedNoWriteGoesThroughAndTheWatchEnds() throws Exception {
        EtcdProcess server = servers.start(
                EtcdProcess.builder(ServerKind.fromSystemProperty()).extraArgs("--log-level", "debug"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.clientPort())
                .usePlaintext()
                .build();
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channel);
        auth.userAdd(AuthUserAddRequest.newBuilder()
                .setName("root")
                .setPassword(PASSWORD)
                .build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder()
                .setUser("root")
                .setRole("root")
                .build());
        auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("w").build());
        Permission perm = Permission.newBuilder()
                .setKey(PREFIX)
                .setRangeEnd(PREFIX_END)
                .setPermType(Permission.Type.READWRITE)
                .build();
        auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
                .setName("w")
                .setPerm(perm)
                .build());
        auth.userAdd(AuthUserAddRequest.newBuilder()
                .setName("u")
                .setPassword(PASSWORD)
                .build());
        auth.userGrantRole(
                AuthUserGrantRoleRequest.newBuilder().setUser("u").setRole("w").build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        String rootToken = auth.authenticate(AuthenticateRequest.newBuilder()
                        .setName("root")
                        .setPassword(PASSWORD)
                        .build())
                .getToken();
        String userToken = auth.authenticate(AuthenticateRequest.newBuilder()
                        .setName("u")
                        .setPassword(PASSWORD)
                        .build())
                .getToken();

        List<WatchResponse> watched = new CopyOnWriteArrayList<>();
        StreamObserver<WatchRequest> watch = as(WatchGrpc.newStub(channel), userToken)
                .watch(new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse r) {
                        watched.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        watch.onNext(WatchRequest.newBuilder()
                .setCreateRequest(WatchCreateRequest.newBuilder().setKey(PREFIX).setRangeEnd(PREFIX_END))
                .build());

        KVGrpc.KVBlockingStub userKv = as(KVGrpc.newBlockingStub(channel), userToken);
        List<Long> acknowledged = new CopyOnWriteArrayList<>();
        AtomicReference<Status> refusal = new AtomicReference<>();
        List<Status> refusals = new CopyOnWriteArrayList<>();
        List<Long> acknowledgedAfterRefusal = new CopyOnWriteArrayList<>();
        Thread writer = Thread.ofPlatform().name("writer").start(() -> {
            for (int i = 0; i < 100_000 && !Thread.currentThread().isInterrupted(); i++) {
                try {
                    long rev = userKv.put(PutRequest.newBuilder()
                                    .setKey(PREFIX.concat(ByteString.copyFromUtf8("" + i)))
                                    .setValue(ByteString.copyFromUtf8("v"))
                                    .build())
                            .getHeader()
                            .getRevision();
                    (refusal.get() == null ? acknowledged : acknowledgedAfterRefusal).add(rev);
                } catch (StatusRuntimeException e) {
                    refusal.compareAndSet(null, e.getStatus());
                    refusals.add(e.getStatus());
                    if (refusals.size() >= 20) {
                        return; // refused for a while now: enough
                    }
                }
            }
        });
        Await.until(Duration.ofSeconds(30), "the user's writes flowing", () -> acknowledged.size() >= 20);
        as(auth, rootToken)
                .roleRevokePermission(AuthRoleRevokePermissionRequest.newBuilder()
                        .setRole("w")
                        .setKey(PREFIX)
                        .setRangeEnd(PREFIX_END)
                        .build());
        long revisionAfterRevoke = as(KVGrpc.newBlockingStub(channel), rootToken)
                .range(RangeRequest.newBuilder().setKey(PREFIX).build())
                .getHeader()
                .getRevision();
        writer.join(Duration.ofSeconds(60).toMillis());
        assertFalse(writer.isAlive(), "the writer was never refused");

        // a write checked against the rules before the revocation is told they are old; after it, it is denied
        for (Status s : refusals) {
            assertTrue(
                    s.getCode() == Status.Code.PERMISSION_DENIED
                            || s.getDescription().equals("etcdserver: revision of auth store is old"),
                    s.toString());
        }
        assertEquals(Status.Code.PERMISSION_DENIED, refusals.getLast().getCode(), refusals.toString());
        assertTrue(
                acknowledgedAfterRefusal.isEmpty(), "writes acknowledged after a refusal: " + acknowledgedAfterRefusal);
        for (long rev : acknowledged) {
            assertTrue(
                    rev <= revisionAfterRevoke,
                    "a write at revision " + rev + " went through after the"
                            + " revocation was applied (revision then: " + revisionAfterRevoke + ")");
        }
        Await.until(
                Duration.ofSeconds(30),
                "the watch cancelled",
                () -> watched.stream()
                        .anyMatch(
                                r -> r.getCanceled() && r.getCancelReason().endsWith("etcdserver: permission denied")));
        for (WatchResponse r : watched) {
            for (Event e : r.getEventsList()) {
                assertTrue(e.getKv().getModRevision() <= revisionAfterRevoke, "event after the revocation: " + e);
            }
        }
        watch.onCompleted();

        String log = Files.readString(server.logFile());
        assertFalse(log.contains(PASSWORD), "a password is in the server's log");
        assertFalse(log.contains(rootToken) || log.contains(userToken), "a token is in the server's log");
        assertFalse(log.contains(rootToken.split("\\.")[0]), "a token's secret part is in the server's log");
    }
}
