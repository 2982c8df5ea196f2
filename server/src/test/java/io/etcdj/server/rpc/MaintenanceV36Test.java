package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.etcdj.api.etcdserverpb.DowngradeRequest;
import io.etcdj.api.etcdserverpb.DowngradeRequest.DowngradeAction;
import io.etcdj.api.etcdserverpb.DowngradeResponse;
import io.etcdj.api.etcdserverpb.HashKVRequest;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.SnapshotRequest;
import io.etcdj.api.etcdserverpb.SnapshotResponse;
import io.etcdj.api.etcdserverpb.StatusRequest;
import io.etcdj.api.etcdserverpb.StatusResponse;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.common.Versions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd 3.6's Maintenance additions (Status fields, HashKV's hash_revision, Downgrade) over real gRPC. */
class MaintenanceV36Test {
    /** The one target a downgrade may have: the cluster version's previous minor. */
    static final String TARGET = Downgrades.allowedTarget(Versions.ETCD_CLUSTER);

    @TempDir
    Path dir;

    EtcdjServer server;
    MaintenanceGrpc.MaintenanceBlockingStub maintenance;
    KVGrpc.KVBlockingStub kv;

    @BeforeEach
    void start() throws Exception {
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        connect();
    }

    void connect() {
        String uri = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        maintenance = GrpcClients.newClient(uri, MaintenanceGrpc.MaintenanceBlockingStub.class);
        kv = GrpcClients.newClient(uri, KVGrpc.KVBlockingStub.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void statusCarries36Fields() {
        StatusResponse s = maintenance.status(StatusRequest.getDefaultInstance());
        assertEquals(Versions.STORAGE, s.getStorageVersion());
        assertEquals(MemberConfig.DEFAULT_QUOTA_BACKEND_BYTES, s.getDbSizeQuota());
        assertTrue(s.hasDowngradeInfo(), "3.6 always sends downgradeInfo");
        assertFalse(s.getDowngradeInfo().getEnabled());
        assertEquals("", s.getDowngradeInfo().getTargetVersion());
        assertEquals(0, s.getErrorsCount(), "a member with a leader and no alarm has no errors");
    }

    @Test
    void hashKvReportsItsRevision() {
        for (int i = 0; i < 3; i++) {
            kv.put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k" + i))
                    .build());
        }
        HashKVResponse at2 =
                maintenance.hashKV(HashKVRequest.newBuilder().setRevision(2).build());
        assertEquals(2, at2.getHashRevision());
        assertEquals(4, at2.getHeader().getRevision(), "the header carries the store's revision, as etcd's");
        HashKVResponse now = maintenance.hashKV(HashKVRequest.getDefaultInstance());
        assertEquals(4, now.getHashRevision());
        assertTrue(at2.getHash() != now.getHash());
    }

    @Test
    void snapshotMessagesCarryTheStorageVersion() {
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
        List<SnapshotResponse> messages = new ArrayList<>();
        maintenance.snapshot(SnapshotRequest.getDefaultInstance()).forEachRemaining(messages::add);
        assertTrue(messages.size() >= 2, "the data, then its SHA-256");
        messages.forEach(m -> assertEquals(Versions.STORAGE, m.getVersion()));
    }

    @Test
    void downgradeTargetMustBeAVersion() {
        for (String bad : new String[] {"", "x", "3", "v3.3", "3.3.x", "3.3.0.1"}) {
            assertFails(
                    Status.Code.INVALID_ARGUMENT,
                    "etcdserver: wrong downgrade target version format",
                    DowngradeAction.VALIDATE,
                    bad);
        }
    }

    @Test
    void downgradeTargetMustBeThePreviousMinor() {
        String[] parts = Versions.ETCD_CLUSTER.split("\\.");
        int minor = Integer.parseInt(parts[1]);
        for (String bad : new String[] {parts[0] + "." + minor, parts[0] + "." + (minor - 2), (parts[0] + 1) + ".0"}) {
            assertFails(
                    Status.Code.INVALID_ARGUMENT,
                    "etcdserver: invalid downgrade target version",
                    DowngradeAction.VALIDATE,
                    bad);
        }
        // a full version, a pre-release and major.minor all name the same cluster version
        for (String good : new String[] {
            TARGET, TARGET.substring(0, TARGET.lastIndexOf('.')), TARGET + "-rc.1", parts[0] + "." + (minor - 1) + ".7"
        }) {
            assertEquals(
                    Versions.ETCD_API, downgrade(DowngradeAction.VALIDATE, good).getVersion());
        }
    }

    @Test
    void downgradeEnableShowsInStatusAndCancelClearsIt() throws Exception {
        assertFails(
                Status.Code.FAILED_PRECONDITION, "etcdserver: no inflight downgrade job", DowngradeAction.CANCEL, "");
        DowngradeResponse enabled = downgrade(DowngradeAction.ENABLE, TARGET.substring(0, TARGET.lastIndexOf('.')));
        assertEquals(Versions.ETCD_API, enabled.getVersion());
        assertTrue(enabled.getHeader().getMemberId() != 0);
        assertEquals(
                TARGET,
                maintenance
                        .status(StatusRequest.getDefaultInstance())
                        .getDowngradeInfo()
                        .getTargetVersion());
        assertFails(
                Status.Code.FAILED_PRECONDITION,
                "etcdserver: cluster has a downgrade job in progress",
                DowngradeAction.VALIDATE,
                TARGET);
        assertFails(
                Status.Code.FAILED_PRECONDITION,
                "etcdserver: cluster has a downgrade job in progress",
                DowngradeAction.ENABLE,
                TARGET);

        server.close(); // the job is in the store: a restart keeps it
        server = EtcdjServer.start(MemberConfig.singleMember(dir, URI.create("http://127.0.0.1:0")));
        connect();
        assertTrue(maintenance
                .status(StatusRequest.getDefaultInstance())
                .getDowngradeInfo()
                .getEnabled());

        assertEquals(Versions.ETCD_API, downgrade(DowngradeAction.CANCEL, "").getVersion());
        StatusResponse after = maintenance.status(StatusRequest.getDefaultInstance());
        assertFalse(after.getDowngradeInfo().getEnabled());
        assertEquals("", after.getDowngradeInfo().getTargetVersion());
        assertFails(
                Status.Code.FAILED_PRECONDITION, "etcdserver: no inflight downgrade job", DowngradeAction.CANCEL, "");
    }

    @Test
    void downgradeNeedsRootWithAuthOnAndAnswersAGrpcStatus() {
        String uri = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        AuthGrpc.AuthBlockingStub auth = GrpcClients.newClient(uri, AuthGrpc.AuthBlockingStub.class);
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
        // etcd 3.6 translates the Maintenance service's auth errors to gRPC statuses
        assertFails(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty", DowngradeAction.VALIDATE, TARGET);
        String token = auth.authenticate(AuthenticateRequest.newBuilder()
                        .setName("root")
                        .setPassword("secret")
                        .build())
                .getToken();
        MaintenanceGrpc.MaintenanceBlockingStub asRoot =
                GrpcClients.builder(uri).addHeader("token", token).build(MaintenanceGrpc.MaintenanceBlockingStub.class);
        assertEquals(
                Versions.ETCD_API,
                asRoot.downgrade(DowngradeRequest.newBuilder()
                                .setAction(DowngradeAction.VALIDATE)
                                .setVersion(TARGET)
                                .build())
                        .getVersion());
    }

    @Test
    void unknownActionIsEtcdsUnknownMethod() {
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class,
                () -> maintenance.downgrade(DowngradeRequest.newBuilder()
                        .setActionValue(7)
                        .setVersion(TARGET)
                        .build()));
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
        assertEquals("etcdserver: unknown method", e.getStatus().getDescription());
    }

    private DowngradeResponse downgrade(DowngradeAction action, String version) {
        return maintenance.downgrade(DowngradeRequest.newBuilder()
                .setAction(action)
                .setVersion(version)
                .build());
    }

    private void assertFails(Status.Code code, String message, DowngradeAction action, String version) {
        StatusRuntimeException e =
                assertThrows(StatusRuntimeException.class, () -> downgrade(action, version), action + " " + version);
        assertEquals(code, e.getStatus().getCode(), action + " " + version);
        assertEquals(message, e.getStatus().getDescription(), action + " " + version);
    }
}
