package io.etcdj.server.sim;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.authpb.UserAddOptions;
import io.etcdj.api.etcdserverpb.AuthDisableRequest;
import io.etcdj.api.etcdserverpb.AuthEnableRequest;
import io.etcdj.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdj.api.etcdserverpb.AuthRoleDeleteRequest;
import io.etcdj.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdj.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.etcdj.api.etcdserverpb.AuthUserAddRequest;
import io.etcdj.api.etcdserverpb.AuthUserDeleteRequest;
import io.etcdj.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdj.api.etcdserverpb.AuthUserRevokeRoleRequest;
import io.etcdj.api.internal.AuthCommand;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.auth.Permits;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * An operator managing auth now and then (every {@code 30..maxPeriodMs} ms), through the log as the server's Auth RPCs
 * do ({@code AuthService}: the change is stamped with its caller and the applier checks the caller's rights): users
 * and roles added and deleted, permissions on key ranges granted and revoked, roles granted to and revoked from users,
 * auth enabled and disabled. Mostly as root; now and then as another user or anonymously, whose change must then be
 * refused exactly as {@link Permits#requireAdmin} on the applied state says. Users are added without a password (the
 * simulation identifies users as a client certificate does, so no bcrypt). {@code -Detcdj.sim.auth=false} proposes
 * nothing (the same schedule otherwise).
 */
final class SimAuth {
    /** Users and roles the operator manages ("root" is both a user and the built-in role). */
    static final String[] USERS = {"root", "u1", "u2"};

    static final String[] ROLES = {"root", "r1", "r2"};
    /** Who the clients' checked writes run as: users with and without rights, one never added, nobody. */
    static final String[] CLIENT_USERS = {"u1", "u2", "u3", "root", null};

    private final SimEvents events;
    private final SplittableRandom random;
    private final Supplier<List<SimMember>> upMembers;
    private final int keys;
    private final int maxPeriodMs;
    private boolean stopped;
    /** Changes proposed first (in three seeds of four): what an operator does to switch auth on, then random ones. */
    private final ArrayDeque<AuthCommand> setup = new ArrayDeque<>();
    /** Changes applied where proposed, refused there, and refused for the caller's rights (checked). */
    long applied;

    long refused;
    long refusedRights;

    SimAuth(SimEvents events, SplittableRandom random, Supplier<List<SimMember>> upMembers, int keys) {
        this.events = events;
        this.random = random;
        this.upMembers = upMembers;
        this.keys = keys;
        this.maxPeriodMs = 60 + random.nextInt(400);
        if (random.nextInt(4) != 0) {
            setup.add(AuthCommand.newBuilder()
                    .setUserAdd(AuthUserAddRequest.newBuilder()
                            .setName("root")
                            .setOptions(UserAddOptions.newBuilder().setNoPassword(true)))
                    .build());
            setup.add(AuthCommand.newBuilder()
                    .setUserGrantRole(AuthUserGrantRoleRequest.newBuilder()
                            .setUser("root")
                            .setRole("root"))
                    .build());
            setup.add(AuthCommand.newBuilder()
                    .setUserAdd(AuthUserAddRequest.newBuilder()
                            .setName("u1")
                            .setOptions(UserAddOptions.newBuilder().setNoPassword(true)))
                    .build());
            setup.add(AuthCommand.newBuilder()
                    .setRoleAdd(AuthRoleAddRequest.newBuilder().setName("r1"))
                    .build());
            setup.add(AuthCommand.newBuilder()
                    .setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
                            .setName("r1")
                            .setPerm(range(Permission.newBuilder().setPermType(Permission.Type.READWRITE))))
                    .build());
            setup.add(AuthCommand.newBuilder()
                    .setUserGrantRole(
                            AuthUserGrantRoleRequest.newBuilder().setUser("u1").setRole("r1"))
                    .build());
            setup.add(AuthCommand.newBuilder()
                    .setEnable(AuthEnableRequest.getDefaultInstance())
                    .build());
        }
    }

    void start() {
        if (!"false".equals(System.getProperty("etcdj.sim.auth"))) {
            events.after(30 + random.nextInt(maxPeriodMs), null, this::change);
        }
    }

    void stop() {
        stopped = true;
    }

    private void change() {
        if (stopped) {
            return;
        }
        events.after(30 + random.nextInt(maxPeriodMs), null, this::change);
        List<SimMember> up = upMembers.get();
        if (up.isEmpty()) {
            return;
        }
        SimMember m = up.get(random.nextInt(up.size()));
        int who = random.nextInt(10);
        String user = who < 8 ? "root" : who < 9 ? USERS[1 + random.nextInt(USERS.length - 1)] : null;
        AuthCommand cmd = setup.isEmpty() ? command() : setup.poll();
        SimMember.Incarnation in = m.live();
        SimMember.Proposal p =
                in.proposeAs(user, LogCommand.newBuilder().setAuth(cmd).build());
        String what =
                cmd.getChangeCase() + " " + cmd.toString().replace('\n', ' ').trim();
        events.trace("auth: " + (user == null ? "nobody" : user) + " asks " + m.name() + " for " + what);
        p.outcome()
                .whenComplete((result, err) -> events.guard(() -> {
                    if (err != null) {
                        return; // not applied here (leader change, stop): no answer to check
                    }
                    if (!(result instanceof Throwable)) {
                        applied++;
                        events.trace("auth: " + what + " applied at " + m.name());
                        return;
                    }
                    refused++;
                    events.trace("auth: " + what + " refused at " + m.name() + ": " + result);
                    checkRefusal(m, in.auth(), p, result);
                }));
    }

    /**
     * A refused change left the state as it was, so the state now is the one it was judged on: if that state denies
     * the caller the root role, the refusal must be exactly that denial.
     */
    private void checkRefusal(SimMember m, AuthStore auth, SimMember.Proposal p, Object result) {
        EtcdError denied = null;
        try {
            Permits.requireAdmin(auth.state(), p.caller());
        } catch (EtcdException e) {
            denied = e.error();
        }
        if (denied == null) {
            return; // refused for what it asked (a user that exists already, ...), not for who asked
        }
        refusedRights++;
        EtcdError got = result instanceof EtcdException e ? e.error() : null;
        if (!Objects.equals(denied, got)) {
            throw new AssertionError(m.name() + " refused an auth change by " + p.caller() + " with " + result
                    + " where the applied auth state (" + AuthHistory.Fingerprint.of(auth.state()) + ") says "
                    + denied);
        }
    }

    /** A change the seed picks; many are refused (a user that exists, a role that does not), which is fine. */
    private AuthCommand command() {
        AuthCommand.Builder b = AuthCommand.newBuilder();
        int kind = random.nextInt(100);
        String user = USERS[random.nextInt(USERS.length)];
        String role = ROLES[random.nextInt(ROLES.length)];
        if (kind < 12) {
            b.setUserAdd(AuthUserAddRequest.newBuilder()
                    .setName(user)
                    .setOptions(UserAddOptions.newBuilder().setNoPassword(true)));
        } else if (kind < 22) {
            b.setRoleAdd(AuthRoleAddRequest.newBuilder().setName(role));
        } else if (kind < 36) {
            boolean rootRole = random.nextBoolean(); // auth can be enabled only once root has the root role
            b.setUserGrantRole(AuthUserGrantRoleRequest.newBuilder()
                    .setUser(rootRole ? "root" : user)
                    .setRole(rootRole ? "root" : role));
        } else if (kind < 56) {
            Permission.Type type = Permission.Type.forNumber(random.nextInt(3));
            b.setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
                    .setName(role)
                    .setPerm(range(Permission.newBuilder().setPermType(type))));
        } else if (kind < 64) {
            Permission p = range(Permission.newBuilder()).build();
            b.setRoleRevokePermission(AuthRoleRevokePermissionRequest.newBuilder()
                    .setRole(role)
                    .setKey(p.getKey())
                    .setRangeEnd(p.getRangeEnd()));
        } else if (kind < 80) {
            b.setEnable(AuthEnableRequest.getDefaultInstance());
        } else if (kind < 88) {
            b.setDisable(AuthDisableRequest.getDefaultInstance());
        } else if (kind < 94) {
            b.setUserRevokeRole(
                    AuthUserRevokeRoleRequest.newBuilder().setName(user).setRole(role));
        } else if (kind < 97) {
            b.setRoleDelete(AuthRoleDeleteRequest.newBuilder().setRole(role));
        } else {
            b.setUserDelete(AuthUserDeleteRequest.newBuilder().setName(user));
        }
        return b.build();
    }

    /** A key of the workload, a range of them, or every key from one on (etcd's range end "\0"). */
    private Permission.Builder range(Permission.Builder p) {
        int from = random.nextInt(keys);
        p.setKey(ByteString.copyFromUtf8(SimClients.key(from)));
        int shape = random.nextInt(3);
        if (shape == 1) {
            int to = from + 1 + random.nextInt(keys - from);
            p.setRangeEnd(ByteString.copyFromUtf8(to == keys ? "l" : SimClients.key(to)));
        } else if (shape == 2) {
            p.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
        }
        return p;
    }
}
