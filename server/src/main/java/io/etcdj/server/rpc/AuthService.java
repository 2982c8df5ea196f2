package io.etcdj.server.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.etcdj.api.authpb.Role;
import io.etcdj.api.authpb.User;
import io.etcdj.api.etcdserverpb.AuthDisableRequest;
import io.etcdj.api.etcdserverpb.AuthDisableResponse;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthEnableResponse;
import io.etcdj.api.etcdserverpb.AuthGrpc;
import io.etcdj.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdj.api.etcdserverpb.AuthRoleAddResponse;
import io.etcdj.api.etcdserverpb.AuthRoleDeleteRequest;
import io.etcdj.api.etcdserverpb.AuthRoleDeleteResponse;
import io.etcdj.api.etcdserverpb.AuthRoleGetRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGetResponse;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.etcdj.api.etcdserverpb.AuthRoleListRequest;
import io.etcdj.api.etcdserverpb.AuthRoleListResponse;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import io.etcdj.api.etcdserverpb.AuthStatusRequest;
import io.etcdj.api.etcdserverpb.AuthStatusResponse;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserAddResponse;
import io.etcdj.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.etcdj.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.etcdj.api.etcdserverpb.AuthUserDeleteRequest;
import io.etcdj.api.etcdserverpb.AuthUserDeleteResponse;
import io.etcdj.api.etcdserverpb.AuthUserGetRequest;
import io.etcdj.api.etcdserverpb.AuthUserGetResponse;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleResponse;
import io.etcdj.api.etcdserverpb.AuthUserListRequest;
import io.etcdj.api.etcdserverpb.AuthUserListResponse;
import io.etcdj.api.etcdserverpb.AuthUserRevokeRoleRequest;
import io.etcdj.api.etcdserverpb.AuthUserRevokeRoleResponse;
import io.etcdj.api.etcdserverpb.AuthenticateRequest;
import io.etcdj.api.etcdserverpb.AuthenticateResponse;
import io.etcdj.api.internal.AuthCommand;
import io.etcdj.api.internal.AuthenticateCommand;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.auth.AuthState;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.JwtTokens;
import io.etcdj.server.auth.Passwords;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.auth.SimpleTokens;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * etcd's Auth service: users, roles and the auth switch change through the log (root only, checked where the
 * change is applied), and are read linearizably. Authenticate checks the password here, off the event loop, and
 * then either signs a JWT or has the log register a simple token on every member.
 */
public final class AuthService extends AuthGrpc.AuthImplBase {
    /** Tries of an Authenticate whose password check an auth change overtook before it reached the log. */
    private static final int AUTHENTICATE_TRIES = 3;

    private final CallerStamp consensus;
    private final AuthStore auth;
    private final AuthGate gate;
    private final Passwords passwords;
    private final Headers headers;
    /** Where auth reads run (the read pool). */
    private final Executor reads;
    /**
     * bcrypt takes tens of milliseconds: never on a gRPC event loop, and on a small bounded pool of its own, so that
     * clients (Authenticate needs no credentials) cannot queue unbounded work or starve the reads.
     */
    private final Executor passwordChecks;

    /**
     * @param consensus      the log, stamping each command with its caller ({@link CallerStamp})
     * @param reads          where reads of the auth state run
     * @param passwordChecks where bcrypt hashes are made and checked ({@link RequestPool}: refuses when full)
     */
    public AuthService(
            CallerStamp consensus,
            AuthStore auth,
            AuthGate gate,
            Passwords passwords,
            Headers headers,
            Executor reads,
            Executor passwordChecks) {
        this.consensus = consensus;
        this.auth = auth;
        this.gate = gate;
        this.passwords = passwords;
        this.headers = headers;
        this.reads = reads;
        this.passwordChecks = passwordChecks;
    }

    @Override
    public void authEnable(AuthEnableRequest request, StreamObserver<AuthEnableResponse> out) {
        change(AuthCommand.newBuilder().setEnable(request), out, AuthEnableResponse.class);
    }

    @Override
    public void authDisable(AuthDisableRequest request, StreamObserver<AuthDisableResponse> out) {
        change(AuthCommand.newBuilder().setDisable(request), out, AuthDisableResponse.class);
    }

    @Override
    public void authStatus(AuthStatusRequest request, StreamObserver<AuthStatusResponse> out) {
        read(
                out,
                s -> AuthStatusResponse.newBuilder()
                        .setEnabled(s.enabled())
                        .setAuthRevision(s.revision())
                        .build());
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> out) {
        authenticate(request, AUTHENTICATE_TRIES).whenComplete((r, err) -> {
            if (err != null) {
                Replies.fail(out, err);
            } else {
                Replies.send(out, withHeader(r));
            }
        });
    }

    /** Checks the password against the applied state, then issues a token at the revision it was checked at. */
    private CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest request, int tries) {
        return consensus
                .readBarrier()
                .thenApplyAsync(
                        v -> {
                            AuthState s = auth.state();
                            if (!s.enabled()) {
                                throw EtcdError.AUTH_NOT_ENABLED.exception();
                            }
                            User u = s.users().get(request.getName());
                            if (u == null
                                    || u.hasOptions() && u.getOptions().getNoPassword()
                                    || !Passwords.matches(u.getPassword(), request.getPassword())) {
                                throw EtcdError.AUTH_FAILED.exception();
                            }
                            return s.revision();
                        },
                        passwordChecks)
                .thenCompose(revision -> {
                    if (auth.tokens() instanceof JwtTokens jwt) {
                        return CompletableFuture.completedFuture(AuthenticateResponse.newBuilder()
                                .setToken(jwt.sign(request.getName(), revision))
                                .build());
                    }
                    SimpleTokens simple = (SimpleTokens) auth.tokens();
                    return consensus
                            .propose(LogCommand.newBuilder()
                                    .setAuth(AuthCommand.newBuilder()
                                            .setAuthenticate(AuthenticateCommand.newBuilder()
                                                    .setName(request.getName())
                                                    .setTokenPrefix(simple.newPrefix())
                                                    .setCheckedRevision(revision)))
                                    .build())
                            .thenCompose(result -> {
                                if (result instanceof EtcdException e) {
                                    if (e.error() == EtcdError.AUTH_OLD_REVISION && tries > 1) {
                                        return authenticate(request, tries - 1);
                                    }
                                    return CompletableFuture.failedFuture(e);
                                }
                                return CompletableFuture.completedFuture((AuthenticateResponse) result);
                            });
                });
    }

    @Override
    public void userAdd(AuthUserAddRequest request, StreamObserver<AuthUserAddResponse> out) {
        boolean noPassword = request.hasOptions() && request.getOptions().getNoPassword();
        withHash(
                noPassword ? null : request.getPassword(),
                hash -> AuthCommand.newBuilder()
                        .setUserAdd(request.toBuilder().clearPassword())
                        .setHashedPassword(hash),
                out,
                AuthUserAddResponse.class);
    }

    @Override
    public void userChangePassword(
            AuthUserChangePasswordRequest request, StreamObserver<AuthUserChangePasswordResponse> out) {
        withHash(
                request.getPassword(),
                hash -> AuthCommand.newBuilder()
                        .setUserChangePassword(request.toBuilder().clearPassword())
                        .setHashedPassword(hash),
                out,
                AuthUserChangePasswordResponse.class);
    }

    @Override
    public void userDelete(AuthUserDeleteRequest request, StreamObserver<AuthUserDeleteResponse> out) {
        change(AuthCommand.newBuilder().setUserDelete(request), out, AuthUserDeleteResponse.class);
    }

    @Override
    public void userGrantRole(AuthUserGrantRoleRequest request, StreamObserver<AuthUserGrantRoleResponse> out) {
        change(AuthCommand.newBuilder().setUserGrantRole(request), out, AuthUserGrantRoleResponse.class);
    }

    @Override
    public void userRevokeRole(AuthUserRevokeRoleRequest request, StreamObserver<AuthUserRevokeRoleResponse> out) {
        change(AuthCommand.newBuilder().setUserRevokeRole(request), out, AuthUserRevokeRoleResponse.class);
    }

    @Override
    public void roleAdd(AuthRoleAddRequest request, StreamObserver<AuthRoleAddResponse> out) {
        change(AuthCommand.newBuilder().setRoleAdd(request), out, AuthRoleAddResponse.class);
    }

    @Override
    public void roleDelete(AuthRoleDeleteRequest request, StreamObserver<AuthRoleDeleteResponse> out) {
        change(AuthCommand.newBuilder().setRoleDelete(request), out, AuthRoleDeleteResponse.class);
    }

    @Override
    public void roleGrantPermission(
            AuthRoleGrantPermissionRequest request, StreamObserver<AuthRoleGrantPermissionResponse> out) {
        change(AuthCommand.newBuilder().setRoleGrantPermission(request), out, AuthRoleGrantPermissionResponse.class);
    }

    @Override
    public void roleRevokePermission(
            AuthRoleRevokePermissionRequest request, StreamObserver<AuthRoleRevokePermissionResponse> out) {
        change(AuthCommand.newBuilder().setRoleRevokePermission(request), out, AuthRoleRevokePermissionResponse.class);
    }

    @Override
    public void userGet(AuthUserGetRequest request, StreamObserver<AuthUserGetResponse> out) {
        AuthInfo caller = gate.callerOrFail(out);
        if (caller == null) {
            return;
        }
        read(out, s -> {
            if (!caller.user().equals(request.getName())) {
                Permits.requireAdmin(s, caller); // anyone may read their own roles
            }
            User u = s.users().get(request.getName());
            if (u == null) {
                throw EtcdError.USER_NOT_FOUND.exception();
            }
            return AuthUserGetResponse.newBuilder()
                    .addAllRoles(u.getRolesList())
                    .build();
        });
    }

    @Override
    public void userList(AuthUserListRequest request, StreamObserver<AuthUserListResponse> out) {
        read(
                out,
                s -> AuthUserListResponse.newBuilder()
                        .addAllUsers(s.users().keySet())
                        .build());
    }

    @Override
    public void roleGet(AuthRoleGetRequest request, StreamObserver<AuthRoleGetResponse> out) {
        AuthInfo caller = gate.callerOrFail(out);
        if (caller == null) {
            return;
        }
        read(out, s -> {
            if (!s.hasRole(caller.user(), request.getRole())) {
                Permits.requireAdmin(s, caller); // anyone may read the roles they have
            }
            Role r = s.roles().get(request.getRole());
            if (r == null) {
                throw EtcdError.ROLE_NOT_FOUND.exception();
            }
            return AuthRoleGetResponse.newBuilder()
                    .addAllPerm(r.getKeyPermissionList())
                    .build();
        });
    }

    @Override
    public void roleList(AuthRoleListRequest request, StreamObserver<AuthRoleListResponse> out) {
        read(
                out,
                s -> AuthRoleListResponse.newBuilder()
                        .addAllRoles(s.roles().keySet())
                        .build());
    }

    /** Hashes {@code password} (null: a user without one) off the event loop, then proposes the change. */
    private <T extends Message> void withHash(
            String password, Function<ByteString, AuthCommand.Builder> command, StreamObserver<T> out, Class<T> type) {
        AuthInfo caller = gate.callerOrFail(out); // the call's context is gone once hashing is done
        if (caller == null) {
            return;
        }
        RequestPool.supply(() -> password == null ? ByteString.EMPTY : passwords.hash(password), passwordChecks)
                .whenComplete((hash, err) -> {
                    if (err != null) {
                        Replies.fail(out, err);
                    } else {
                        change(caller, command.apply(hash), out, type);
                    }
                });
    }

    private <T extends Message> void change(AuthCommand.Builder command, StreamObserver<T> out, Class<T> type) {
        AuthInfo caller = gate.callerOrFail(out);
        if (caller != null) {
            change(caller, command, out, type);
        }
    }

    private <T extends Message> void change(
            AuthInfo caller, AuthCommand.Builder command, StreamObserver<T> out, Class<T> type) {
        consensus
                .proposeAs(caller, LogCommand.newBuilder().setAuth(command).build())
                .whenComplete((result, err) -> Replies.fromApplied(out, result, err, type, this::withHeader));
    }

    /** Answers from the auth state once this member has applied everything committed before the call. */
    private <T extends Message> void read(StreamObserver<T> out, Function<AuthState, T> answer) {
        consensus
                .readBarrier()
                .thenApplyAsync(v -> withHeader(answer.apply(auth.state())), reads)
                .whenComplete((r, err) -> {
                    if (err != null) {
                        Replies.fail(out, err);
                    } else {
                        Replies.send(out, r);
                    }
                });
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> T withHeader(T response) {
        FieldDescriptor header = response.getDescriptorForType().findFieldByName("header");
        return (T) response.toBuilder().setField(header, headers.header(0)).build();
    }
}
