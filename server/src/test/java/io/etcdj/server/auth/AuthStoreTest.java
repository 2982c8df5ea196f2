package io.etcdj.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.etcdserverpb.AuthDisableRequest;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdj.api.etcdserverpb.AuthRoleDeleteRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.etcdj.api.etcdserverpb.AuthUserDeleteRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdj.api.etcdserverpb.AuthUserRevokeRoleRequest;
import io.etcdj.api.etcdserverpb.AuthenticateResponse;
import io.etcdj.api.internal.AuthCommand;
import io.etcdj.api.internal.AuthenticateCommand;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users and roles as etcd's auth store changes them, persisted with the entry and read back after a restart. */
class AuthStoreTest {
    @TempDir
    Path dir;

    private MvccStore store;
    private AuthStore auth;
    private long index;
    private final Passwords passwords = new Passwords(4); // the cheapest cost: tests need no strength
    private final SimpleTokens tokens = new SimpleTokens(300, () -> 0, new Random(7));
    /** Who the changes are made as; root once auth is on. */
    private AuthInfo caller = AuthInfo.ANONYMOUS;

    @BeforeEach
    void open() throws Exception {
        store = MvccStore.open(dir);
        auth = AuthStore.load(store, tokens);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Applies {@code cmd} as the applier does: the response, or the EtcdException's error. */
    private Object apply(AuthCommand.Builder cmd) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            Object r = auth.apply(txn, cmd.build(), ++index, caller);
            txn.commit(index);
            return r;
        } catch (EtcdException e) {
            return e.error();
        }
    }

    private Object addUser(String name, String password) throws Exception {
        return apply(AuthCommand.newBuilder()
                .setUserAdd(AuthUserAddRequest.newBuilder().setName(name))
                .setHashedPassword(passwords.hash(password)));
    }

    private Object addRole(String name) throws Exception {
        return apply(AuthCommand.newBuilder()
                .setRoleAdd(AuthRoleAddRequest.newBuilder().setName(name)));
    }

    private Object grant(String user, String role) throws Exception {
        return apply(AuthCommand.newBuilder()
                .setUserGrantRole(
                        AuthUserGrantRoleRequest.newBuilder().setUser(user).setRole(role)));
    }

    private Object permit(String role, String key, String end, Permission.Type type) throws Exception {
        return apply(AuthCommand.newBuilder()
                .setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
                        .setName(role)
                        .setPerm(Permission.newBuilder()
                                .setKey(ByteString.copyFromUtf8(key))
                                .setRangeEnd(ByteString.copyFromUtf8(end))
                                .setPermType(type))));
    }

    @Test
    void usersAndRolesFollowEtcdsRules() throws Exception {
        assertFalse(addUser("alice", "secret") instanceof EtcdError);
        assertEquals(EtcdError.USER_ALREADY_EXIST, addUser("alice", "other"));
        assertEquals(EtcdError.USER_EMPTY, addUser("", "x"));
        assertEquals(EtcdError.ROLE_NOT_FOUND, grant("alice", "readers"));
        assertEquals(EtcdError.USER_NOT_FOUND, grant("bob", "root"));
        assertFalse(grant("alice", "root") instanceof EtcdError); // root needs no role record
        assertFalse(addRole("readers") instanceof EtcdError);
        assertEquals(EtcdError.ROLE_ALREADY_EXIST, addRole("readers"));
        assertFalse(grant("alice", "readers") instanceof EtcdError);
        assertFalse(grant("alice", "readers") instanceof EtcdError); // again: no change, no error
        assertEquals(
                List.of("readers", "root"), auth.state().users().get("alice").getRolesList());
        assertEquals(
                EtcdError.ROLE_NOT_GRANTED,
                apply(AuthCommand.newBuilder()
                        .setUserRevokeRole(AuthUserRevokeRoleRequest.newBuilder()
                                .setName("alice")
                                .setRole("writers"))));

        // permissions: kept sorted by key; the same key and range end changes type instead of adding
        permit("readers", "b", "", Permission.Type.READ);
        permit("readers", "a", "a0", Permission.Type.READ);
        permit("readers", "b", "", Permission.Type.READWRITE);
        List<Permission> perms = auth.state().roles().get("readers").getKeyPermissionList();
        assertEquals(
                List.of("a", "b"),
                perms.stream().map(p -> p.getKey().toStringUtf8()).toList());
        assertEquals(Permission.Type.READWRITE, perms.get(1).getPermType());
        assertEquals(
                EtcdError.PERMISSION_NOT_GRANTED,
                apply(AuthCommand.newBuilder()
                        .setRoleRevokePermission(AuthRoleRevokePermissionRequest.newBuilder()
                                .setRole("readers")
                                .setKey(ByteString.copyFromUtf8("a")))));

        // deleting a role takes it from every user
        assertFalse(
                apply(AuthCommand.newBuilder()
                                .setRoleDelete(
                                        AuthRoleDeleteRequest.newBuilder().setRole("readers")))
                        instanceof EtcdError);
        assertEquals(List.of("root"), auth.state().users().get("alice").getRolesList());
        assertEquals(
                EtcdError.USER_NOT_FOUND,
                apply(AuthCommand.newBuilder()
                        .setUserDelete(AuthUserDeleteRequest.newBuilder().setName("bob"))));
    }

    @Test
    void onlyAHashIsStoredAndTheStateSurvivesARestartWithItsRevision() throws Exception {
        addUser("alice", "secret");
        addRole("r");
        grant("alice", "r");
        long revision = auth.state().revision();
        assertEquals(3, revision, "one revision per change");
        ByteString stored = auth.state().users().get("alice").getPassword();
        assertFalse(stored.toStringUtf8().contains("secret"));
        assertTrue(Passwords.matches(stored, "secret"));
        assertFalse(Passwords.matches(stored, "wrong"));

        store.close();
        store = MvccStore.open(dir);
        AuthStore reopened = AuthStore.load(store, tokens);
        assertEquals(auth.state(), reopened.state());
    }

    private Object enable() throws Exception {
        return apply(AuthCommand.newBuilder().setEnable(AuthEnableRequest.getDefaultInstance()));
    }

    private Object authenticate(String user, long checkedRevision) throws Exception {
        return apply(AuthCommand.newBuilder()
                .setAuthenticate(AuthenticateCommand.newBuilder()
                        .setName(user)
                        .setTokenPrefix("abcdefghijklmnop")
                        .setCheckedRevision(checkedRevision)));
    }

    @Test
    void enablingNeedsARootUserWithTheRootRoleAndThenOnlyRootChangesAnything() throws Exception {
        assertEquals(EtcdError.ROOT_USER_NOT_EXIST, enable());
        addUser("root", "pw");
        assertEquals(EtcdError.ROOT_ROLE_NOT_EXIST, enable());
        grant("root", "root");
        addUser("alice", "pw");
        long before = auth.state().revision();
        assertFalse(enable() instanceof EtcdError);
        assertTrue(auth.state().enabled());
        assertEquals(before, auth.state().revision(), "enabling keeps the revision, as etcd");

        assertEquals(EtcdError.USER_EMPTY, addRole("r"), "nobody named: refused");
        caller = new AuthInfo("alice", auth.state().revision());
        assertEquals(EtcdError.PERMISSION_DENIED, addRole("r"), "not root");
        caller = new AuthInfo("ghost", auth.state().revision());
        assertEquals(EtcdError.USER_NOT_FOUND, addRole("r"));
        caller = new AuthInfo("root", auth.state().revision());
        assertFalse(addRole("r") instanceof EtcdError);

        // root keeps root while auth is on
        assertEquals(
                EtcdError.INVALID_AUTH_MGMT,
                apply(AuthCommand.newBuilder()
                        .setUserDelete(AuthUserDeleteRequest.newBuilder().setName("root"))));
        assertEquals(
                EtcdError.INVALID_AUTH_MGMT,
                apply(AuthCommand.newBuilder()
                        .setUserRevokeRole(AuthUserRevokeRoleRequest.newBuilder()
                                .setName("root")
                                .setRole("root"))));
        assertEquals(
                EtcdError.INVALID_AUTH_MGMT,
                apply(AuthCommand.newBuilder()
                        .setRoleDelete(AuthRoleDeleteRequest.newBuilder().setRole("root"))));

        long revision = auth.state().revision();
        assertFalse(
                apply(AuthCommand.newBuilder().setDisable(AuthDisableRequest.getDefaultInstance()))
                        instanceof EtcdError);
        assertFalse(auth.state().enabled());
        assertEquals(revision + 1, auth.state().revision(), "disabling makes older checks stale");

        store.close();
        store = MvccStore.open(dir);
        assertFalse(AuthStore.load(store, tokens).state().enabled(), "the switch is persisted");
    }

    @Test
    void authenticateRegistersATokenOnlyIfThePasswordCheckIsStillCurrent() throws Exception {
        addUser("root", "pw");
        grant("root", "root");
        assertEquals(
                EtcdError.AUTH_NOT_ENABLED, authenticate("root", auth.state().revision()));
        enable();
        long revision = auth.state().revision();
        Object r = authenticate("root", revision);
        String token = ((AuthenticateResponse) r).getToken();
        assertEquals("abcdefghijklmnop." + index, token, "the token names the entry that made it");
        assertEquals(new AuthInfo("root", revision), tokens.info(token, revision));
        assertEquals(EtcdError.AUTH_FAILED, authenticate("nobody", revision));
        assertEquals(
                EtcdError.AUTH_OLD_REVISION,
                authenticate("root", revision - 1),
                "the password was checked against an older state");

        caller = new AuthInfo("root", revision);
        apply(AuthCommand.newBuilder()
                .setUserChangePassword(
                        AuthUserChangePasswordRequest.newBuilder().setName("root"))
                .setHashedPassword(passwords.hash("new")));
        assertEquals(null, tokens.info(token, revision + 1), "a new password ends the user's tokens");
    }
}
