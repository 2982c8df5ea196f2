package io.etcdj.server.auth;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.authpb.Role;
import io.etcdj.api.authpb.User;
import io.etcdj.api.etcdserverpb.AuthDisableResponse;
import io.etcdj.api.etcdserverpb.AuthEnableResponse;
import io.etcdj.api.etcdserverpb.AuthRoleAddResponse;
import io.etcdj.api.etcdserverpb.AuthRoleDeleteResponse;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserAddResponse;
import io.etcdj.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.etcdj.api.etcdserverpb.AuthUserDeleteResponse;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleResponse;
import io.etcdj.api.etcdserverpb.AuthUserRevokeRoleRequest;
import io.etcdj.api.etcdserverpb.AuthUserRevokeRoleResponse;
import io.etcdj.api.etcdserverpb.AuthenticateResponse;
import io.etcdj.api.internal.AuthCommand;
import io.etcdj.api.internal.AuthenticateCommand;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.mvcc.KeyCodec;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.RocksBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and roles (etcd's auth store), changed only through the log so every member holds the same state at the
 * same auth revision. Kept in the store's meta family ({@code auth/user/NAME} -> authpb.User,
 * {@code auth/role/NAME} -> authpb.Role, {@code auth/revision}) in the batch of the entry that changed them.
 *
 * <p>Threads: {@link #apply} on the applier thread; the readers from any thread (they see one immutable state).
 */
public final class AuthStore {
    static final String ROOT = AuthState.ROOT;
    static final byte[] USER_PREFIX = "auth/user/".getBytes(StandardCharsets.UTF_8);
    static final byte[] ROLE_PREFIX = "auth/role/".getBytes(StandardCharsets.UTF_8);
    static final byte[] REVISION_KEY = "auth/revision".getBytes(StandardCharsets.UTF_8);
    static final byte[] ENABLED_KEY = "auth/enabled".getBytes(StandardCharsets.UTF_8);
    private static final Comparator<ByteString> BYTES = ByteString.unsignedLexicographicalComparator();
    private static final Logger LOG = LoggerFactory.getLogger(AuthStore.class);

    /** Replaced (never modified) on the applier thread once an entry that changed it is committed. */
    private volatile AuthState state;

    private final TokenProvider tokens;
    /** Told (applier thread) after each committed change, so watchers can be checked again. */
    private volatile Runnable onChange = () -> {};

    private AuthStore(AuthState state, TokenProvider tokens) {
        this.state = state;
        this.tokens = tokens;
    }

    /** No users or roles, simple tokens that last five minutes (tests). */
    public static AuthStore empty() {
        return new AuthStore(
                AuthState.of(Map.of(), Map.of(), 0, false),
                new SimpleTokens(300, MonotonicClock.SYSTEM, new Random(1)));
    }

    /** The auth state recorded in {@code store}; tokens from {@code tokens}. */
    public static AuthStore load(MvccStore store, TokenProvider tokens) throws IOException {
        return new AuthStore(read(store), tokens);
    }

    /** Reads the state again: the store was replaced by a leader's snapshot. */
    public void reload(MvccStore store) throws IOException {
        state = read(store);
        tokens.invalidateAll();
        onChange.run();
    }

    public TokenProvider tokens() {
        return tokens;
    }

    /** Runs {@code listener} after every change to users, roles or the switch. */
    public void onChange(Runnable listener) {
        this.onChange = listener;
    }

    private static AuthState read(MvccStore store) throws IOException {
        RocksBackend b = store.backend();
        Map<String, User> users = new TreeMap<>();
        Map<String, Role> roles = new TreeMap<>();
        try (RocksBackend.Pin p = b.pin();
                RocksIterator it = b.db().newIterator(b.meta())) {
            for (it.seek(USER_PREFIX); it.isValid() && KeyCodec.startsWith(it.key(), USER_PREFIX); it.next()) {
                User u = User.parseFrom(it.value());
                users.put(u.getName().toStringUtf8(), u);
            }
            for (it.seek(ROLE_PREFIX); it.isValid() && KeyCodec.startsWith(it.key(), ROLE_PREFIX); it.next()) {
                Role r = Role.parseFrom(it.value());
                roles.put(r.getName().toStringUtf8(), r);
            }
            return AuthState.of(users, roles, b.metaLong(REVISION_KEY, 0), b.metaLong(ENABLED_KEY, 0) == 1);
        } catch (InvalidProtocolBufferException | RocksDBException e) {
            throw new IOException("the store's users and roles are unreadable: " + e.getMessage(), e);
        }
    }

    public AuthState state() {
        return state;
    }

    /**
     * Applies one change made by {@code caller} in the entry at {@code index} (applier thread): the response, or
     * the EtcdException etcd gives. Every change to users or roles, and disabling, moves the auth revision on.
     */
    public Object apply(MvccWriteTxn txn, AuthCommand cmd, long index, AuthInfo caller) throws RocksDBException {
        AuthState s = state;
        if (cmd.getChangeCase() == AuthCommand.ChangeCase.AUTHENTICATE) {
            return authenticate(s, cmd.getAuthenticate(), index);
        }
        Permits.requireAdmin(s, caller);
        Map<String, User> users = new TreeMap<>(s.users());
        Map<String, Role> roles = new TreeMap<>(s.roles());
        boolean enabled = s.enabled();
        String invalidated = null; // a user whose tokens end with this change
        Object response = switch (cmd.getChangeCase()) {
            case USER_ADD -> userAdd(users, cmd.getUserAdd(), cmd.getHashedPassword());
            case USER_DELETE -> {
                String name = cmd.getUserDelete().getName();
                if (enabled && name.equals(ROOT)) {
                    throw EtcdError.INVALID_AUTH_MGMT.exception(); // etcd keeps root while auth is on
                }
                if (users.remove(name) == null) {
                    throw EtcdError.USER_NOT_FOUND.exception();
                }
                invalidated = name;
                yield AuthUserDeleteResponse.getDefaultInstance();
            }
            case USER_CHANGE_PASSWORD -> {
                User u = users.get(cmd.getUserChangePassword().getName());
                if (u == null) {
                    throw EtcdError.USER_NOT_FOUND.exception();
                }
                users.put(
                        u.getName().toStringUtf8(),
                        u.toBuilder().setPassword(cmd.getHashedPassword()).build());
                invalidated = u.getName().toStringUtf8();
                yield AuthUserChangePasswordResponse.getDefaultInstance();
            }
            case USER_GRANT_ROLE -> userGrantRole(users, roles, cmd.getUserGrantRole());
            case USER_REVOKE_ROLE -> {
                if (enabled
                        && cmd.getUserRevokeRole().getName().equals(ROOT)
                        && cmd.getUserRevokeRole().getRole().equals(ROOT)) {
                    throw EtcdError.INVALID_AUTH_MGMT.exception();
                }
                yield userRevokeRole(users, cmd.getUserRevokeRole());
            }
            case ROLE_ADD -> {
                String name = cmd.getRoleAdd().getName();
                if (name.isEmpty()) {
                    throw EtcdError.ROLE_EMPTY.exception();
                }
                if (roles.putIfAbsent(
                                name,
                                Role.newBuilder()
                                        .setName(ByteString.copyFromUtf8(name))
                                        .build())
                        != null) {
                    throw EtcdError.ROLE_ALREADY_EXIST.exception();
                }
                yield AuthRoleAddResponse.getDefaultInstance();
            }
            case ROLE_DELETE -> {
                String name = cmd.getRoleDelete().getRole();
                if (enabled && name.equals(ROOT)) {
                    throw EtcdError.INVALID_AUTH_MGMT.exception();
                }
                if (roles.remove(name) == null) {
                    throw EtcdError.ROLE_NOT_FOUND.exception();
                }
                // the role leaves every user that had it
                users.replaceAll((n, u) -> u.getRolesList().contains(name)
                        ? u.toBuilder()
                                .clearRoles()
                                .addAllRoles(u.getRolesList().stream()
                                        .filter(r -> !r.equals(name))
                                        .toList())
                                .build()
                        : u);
                yield AuthRoleDeleteResponse.getDefaultInstance();
            }
            case ROLE_GRANT_PERMISSION -> roleGrantPermission(roles, cmd.getRoleGrantPermission());
            case ROLE_REVOKE_PERMISSION -> roleRevokePermission(roles, cmd.getRoleRevokePermission());
            case ENABLE -> {
                if (!enabled) {
                    User root = users.get(ROOT);
                    if (root == null) {
                        throw EtcdError.ROOT_USER_NOT_EXIST.exception();
                    }
                    if (!root.getRolesList().contains(ROOT)) {
                        throw EtcdError.ROOT_ROLE_NOT_EXIST.exception();
                    }
                }
                enabled = true;
                yield AuthEnableResponse.getDefaultInstance();
            }
            case DISABLE -> {
                enabled = false;
                yield AuthDisableResponse.getDefaultInstance();
            }
            case AUTHENTICATE, CHANGE_NOT_SET -> throw new IllegalStateException("an auth command without a change");
        };
        AuthCommand.ChangeCase change = cmd.getChangeCase();
        if (change == AuthCommand.ChangeCase.ENABLE || change == AuthCommand.ChangeCase.DISABLE) {
            if (enabled == s.enabled()) {
                return response; // already so: nothing changes, as etcd
            }
            txn.putMetaEntry(ENABLED_KEY, KeyCodec.longBytes(enabled ? 1 : 0));
        } else {
            write(txn, s, users, roles);
        }
        // enabling keeps the revision (no token predates it); every other change makes older checks stale
        long revision = change == AuthCommand.ChangeCase.ENABLE ? s.revision() : s.revision() + 1;
        txn.putMetaEntry(REVISION_KEY, KeyCodec.longBytes(revision));
        AuthState next = AuthState.of(users, roles, revision, enabled);
        String gone = invalidated;
        txn.onCommit(() -> {
            state = next;
            if (gone != null) {
                tokens.invalidateUser(gone);
            }
            if (!next.enabled()) {
                tokens.invalidateAll();
            }
            if (change == AuthCommand.ChangeCase.ENABLE || change == AuthCommand.ChangeCase.DISABLE) {
                LOG.info("{} authentication", next.enabled() ? "enabled" : "disabled");
            }
            onChange.run();
        });
        return response;
    }

    /**
     * Registers a simple token for a user whose password the proposer checked. Refused when the auth state moved
     * on since that check (the password may have changed): the proposer checks again.
     */
    private Object authenticate(AuthState s, AuthenticateCommand cmd, long index) {
        if (!s.enabled()) {
            throw EtcdError.AUTH_NOT_ENABLED.exception();
        }
        User u = s.users().get(cmd.getName());
        if (u == null || u.hasOptions() && u.getOptions().getNoPassword()) {
            throw EtcdError.AUTH_FAILED.exception();
        }
        if (s.revision() != cmd.getCheckedRevision()) {
            throw EtcdError.AUTH_OLD_REVISION.exception();
        }
        if (!(tokens instanceof SimpleTokens simple)) {
            throw new IllegalStateException("a simple-token Authenticate entry on a member configured for JWT");
        }
        return AuthenticateResponse.newBuilder()
                .setToken(simple.register(cmd.getTokenPrefix(), index, cmd.getName()))
                .build();
    }

    private static AuthUserAddResponse userAdd(Map<String, User> users, AuthUserAddRequest r, ByteString hashed) {
        if (r.getName().isEmpty()) {
            throw EtcdError.USER_EMPTY.exception();
        }
        if (users.containsKey(r.getName())) {
            throw EtcdError.USER_ALREADY_EXIST.exception();
        }
        User.Builder u =
                User.newBuilder().setName(ByteString.copyFromUtf8(r.getName())).setPassword(hashed);
        if (r.hasOptions()) {
            u.setOptions(r.getOptions());
        }
        users.put(r.getName(), u.build());
        return AuthUserAddResponse.getDefaultInstance();
    }

    private static AuthUserGrantRoleResponse userGrantRole(
            Map<String, User> users, Map<String, Role> roles, AuthUserGrantRoleRequest r) {
        User u = users.get(r.getUser());
        if (u == null) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        if (!r.getRole().equals(ROOT) && !roles.containsKey(r.getRole())) {
            throw EtcdError.ROLE_NOT_FOUND.exception();
        }
        if (!u.getRolesList().contains(r.getRole())) { // granting a role again changes nothing, as etcd
            List<String> granted = new ArrayList<>(u.getRolesList());
            granted.add(r.getRole());
            granted.sort(null);
            users.put(
                    r.getUser(), u.toBuilder().clearRoles().addAllRoles(granted).build());
        }
        return AuthUserGrantRoleResponse.getDefaultInstance();
    }

    private static AuthUserRevokeRoleResponse userRevokeRole(Map<String, User> users, AuthUserRevokeRoleRequest r) {
        User u = users.get(r.getName());
        if (u == null) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        if (!u.getRolesList().contains(r.getRole())) {
            throw EtcdError.ROLE_NOT_GRANTED.exception();
        }
        users.put(
                r.getName(),
                u.toBuilder()
                        .clearRoles()
                        .addAllRoles(u.getRolesList().stream()
                                .filter(x -> !x.equals(r.getRole()))
                                .toList())
                        .build());
        return AuthUserRevokeRoleResponse.getDefaultInstance();
    }

    /** Adds the permission, or changes the type of one on the same key and range end; kept sorted by key. */
    private static AuthRoleGrantPermissionResponse roleGrantPermission(
            Map<String, Role> roles, AuthRoleGrantPermissionRequest r) {
        Role role = roles.get(r.getName());
        if (role == null) {
            throw EtcdError.ROLE_NOT_FOUND.exception();
        }
        Permission wanted = r.getPerm();
        List<Permission> perms = new ArrayList<>();
        boolean updated = false;
        for (Permission p : role.getKeyPermissionList()) {
            if (p.getKey().equals(wanted.getKey()) && p.getRangeEnd().equals(wanted.getRangeEnd())) {
                perms.add(p.toBuilder().setPermType(wanted.getPermType()).build());
                updated = true;
            } else {
                perms.add(p);
            }
        }
        if (!updated) {
            perms.add(wanted);
            perms.sort((a, b) -> BYTES.compare(a.getKey(), b.getKey()));
        }
        roles.put(
                r.getName(),
                role.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
        return AuthRoleGrantPermissionResponse.getDefaultInstance();
    }

    private static AuthRoleRevokePermissionResponse roleRevokePermission(
            Map<String, Role> roles, AuthRoleRevokePermissionRequest r) {
        Role role = roles.get(r.getRole());
        if (role == null) {
            throw EtcdError.ROLE_NOT_FOUND.exception();
        }
        List<Permission> kept = role.getKeyPermissionList().stream()
                .filter(p -> !p.getKey().equals(r.getKey()) || !p.getRangeEnd().equals(r.getRangeEnd()))
                .toList();
        if (kept.size() == role.getKeyPermissionCount()) {
            throw EtcdError.PERMISSION_NOT_GRANTED.exception();
        }
        roles.put(
                r.getRole(),
                role.toBuilder().clearKeyPermission().addAllKeyPermission(kept).build());
        return AuthRoleRevokePermissionResponse.getDefaultInstance();
    }

    /** Stages the users and roles that differ from {@code before} in the entry's batch. */
    private static void write(MvccWriteTxn txn, AuthState before, Map<String, User> users, Map<String, Role> roles)
            throws RocksDBException {
        for (String name : before.users().keySet()) {
            if (!users.containsKey(name)) {
                txn.deleteMetaEntry(key(USER_PREFIX, name));
            }
        }
        for (Map.Entry<String, User> e : users.entrySet()) {
            if (!e.getValue().equals(before.users().get(e.getKey()))) {
                txn.putMetaEntry(key(USER_PREFIX, e.getKey()), e.getValue().toByteArray());
            }
        }
        for (String name : before.roles().keySet()) {
            if (!roles.containsKey(name)) {
                txn.deleteMetaEntry(key(ROLE_PREFIX, name));
            }
        }
        for (Map.Entry<String, Role> e : roles.entrySet()) {
            if (!e.getValue().equals(before.roles().get(e.getKey()))) {
                txn.putMetaEntry(key(ROLE_PREFIX, e.getKey()), e.getValue().toByteArray());
            }
        }
    }

    private static byte[] key(byte[] prefix, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[prefix.length + n.length];
        System.arraycopy(prefix, 0, k, 0, prefix.length);
        System.arraycopy(n, 0, k, prefix.length, n.length);
        return k;
    }
}
