package io.etcdj.server.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.server.common.EtcdError;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Which calls need root, and how a refusal reads, as etcd 3.4 and etcd 3.6 decide. */
class AuthInterceptorRulesTest {
    private static final String STATUS = MaintenanceGrpc.getStatusMethod().getFullMethodName();
    private static final String MOVE_LEADER =
            MaintenanceGrpc.getMoveLeaderMethod().getFullMethodName();
    private static final String HASH_KV = MaintenanceGrpc.getHashKVMethod().getFullMethodName();
    private static final String DOWNGRADE = MaintenanceGrpc.getDowngradeMethod().getFullMethodName();

    @Test
    void etcd34LeavesStatusAndMoveLeaderOpenAndAnswersRawAuthErrors() {
        assertFalse(AuthInterceptor.adminOnly(STATUS, false));
        assertFalse(AuthInterceptor.adminOnly(MOVE_LEADER, false));
        assertTrue(AuthInterceptor.adminOnly(HASH_KV, false));
        assertTrue(AuthInterceptor.rawAuthErrors(HASH_KV, false));
        Status raw = AuthInterceptor.rawAuthError(EtcdError.USER_EMPTY);
        assertEquals(Status.Code.UNKNOWN, raw.getCode());
        assertEquals("auth: user name is empty", raw.getDescription());
    }

    @Test
    void etcd36KeepsStatusAndMoveLeaderToRootAndAnswersGrpcStatuses() {
        assertTrue(AuthInterceptor.adminOnly(STATUS, true));
        assertTrue(AuthInterceptor.adminOnly(MOVE_LEADER, true));
        assertTrue(AuthInterceptor.adminOnly(HASH_KV, true));
        assertFalse(AuthInterceptor.rawAuthErrors(HASH_KV, true));
        assertFalse(AuthInterceptor.rawAuthErrors(STATUS, true));
    }

    @Test
    void downgradeCameWith35AndAlwaysAnswersGrpcStatuses() {
        assertTrue(AuthInterceptor.adminOnly(DOWNGRADE, false));
        assertFalse(AuthInterceptor.rawAuthErrors(DOWNGRADE, false));
    }
}
