package io.etcdj.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.authpb.Role;
import io.etcdj.api.authpb.User;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** etcd's access decisions: who is asking, at which auth revision, for which keys. */
class PermitsTest {
    private static final long REVISION = 5;
    private final AuthState state = AuthState.of(
            Map.of("root", user("root", "root"), "alice", user("alice", "rw-foo")),
            Map.of(
                    "rw-foo",
                    Role.newBuilder()
                            .setName(bytes("rw-foo"))
                            .addKeyPermission(Permission.newBuilder()
                                    .setKey(bytes("foo"))
                                    .setRangeEnd(bytes("fop"))
                                    .setPermType(Permission.Type.READWRITE))
                            .build()),
            REVISION,
            true);
    private final AuthInfo alice = new AuthInfo("alice", REVISION);

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static User user(String name, String role) {
        return User.newBuilder().setName(bytes(name)).addRoles(role).build();
    }

    private static void refused(EtcdError expected, Executable check) {
        assertEquals(expected, assertThrows(EtcdException.class, check).error());
    }

    @Test
    void keysNeedAKnownCurrentCallerWithThePermission() {
        Permits.requireRead(state, alice, bytes("foo1"), ByteString.EMPTY);
        Permits.requireWrite(state, alice, bytes("foo"), bytes("foo9"));
        Permits.requireWrite(state, new AuthInfo("root", REVISION), bytes("anything"), bytes("\0"));
        refused(EtcdError.PERMISSION_DENIED, () -> Permits.requireRead(state, alice, bytes("bar"), ByteString.EMPTY));
        refused(
                EtcdError.USER_EMPTY,
                () -> Permits.requireRead(state, AuthInfo.ANONYMOUS, bytes("foo"), ByteString.EMPTY));
        refused(
                EtcdError.AUTH_OLD_REVISION,
                () -> Permits.requireRead(state, new AuthInfo("alice", REVISION - 1), bytes("foo"), ByteString.EMPTY));
        refused(
                EtcdError.PERMISSION_DENIED,
                () -> Permits.requireRead(state, new AuthInfo("ghost", REVISION), bytes("foo"), ByteString.EMPTY));
        AuthState off = AuthState.of(state.users(), state.roles(), REVISION, false);
        Permits.requireWrite(off, AuthInfo.ANONYMOUS, bytes("bar"), ByteString.EMPTY); // auth off: all allowed
    }

    @Test
    void adminMeansTheRootRole() {
        Permits.requireAdmin(state, new AuthInfo("root", 1));
        refused(EtcdError.PERMISSION_DENIED, () -> Permits.requireAdmin(state, alice));
        refused(EtcdError.USER_EMPTY, () -> Permits.requireAdmin(state, AuthInfo.ANONYMOUS));
        refused(EtcdError.USER_NOT_FOUND, () -> Permits.requireAdmin(state, new AuthInfo("ghost", REVISION)));
    }

    @Test
    void aTxnNeedsEveryCompareAndEveryOpOfBothBranchesNestedOnesToo() {
        TxnRequest inside = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(bytes("foo")))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder().setKey(bytes("foo2"))))
                .build();
        Permits.requireTxn(state, alice, inside);
        refused(
                EtcdError.PERMISSION_DENIED,
                () -> Permits.requireTxn(
                        state,
                        alice,
                        inside.toBuilder()
                                .addCompare(Compare.newBuilder().setKey(bytes("secret")))
                                .build()));
        refused(
                EtcdError.PERMISSION_DENIED,
                () -> Permits.requireTxn(
                        state,
                        alice,
                        inside.toBuilder()
                                .addFailure(RequestOp.newBuilder()
                                        .setRequestRange(RangeRequest.newBuilder()
                                                .setKey(bytes("a"))
                                                .setRangeEnd(bytes("z"))))
                                .build()));
        TxnRequest nested = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder()
                        .setRequestTxn(inside.toBuilder()
                                .addSuccess(RequestOp.newBuilder()
                                        .setRequestPut(PutRequest.newBuilder().setKey(bytes("secret"))))))
                .build();
        refused(EtcdError.PERMISSION_DENIED, () -> Permits.requireTxn(state, alice, nested));
    }
}
