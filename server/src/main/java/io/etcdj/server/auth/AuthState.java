package io.etcdj.server.auth;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.authpb.Role;
import io.etcdj.api.authpb.User;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One applied auth state: users and roles by name (sorted), how many changes made it (the auth revision), whether
 * auth is enabled, and each user's merged key permissions. Immutable: a change makes a new state.
 */
public record AuthState(
        Map<String, User> users,
        Map<String, Role> roles,
        long revision,
        boolean enabled,
        Map<String, UserAccess> access) {
    static final String ROOT = "root";
    /** The user that holds the root role by etcd's rules (auth cannot be enabled without it). */
    public static final String ROOT_USER = "root";

    /** What one user may do: everything (the root role), or the keys their roles' permissions reach. */
    record UserAccess(boolean root, RangePermissions read, RangePermissions write) {
        boolean covers(Permission.Type type, ByteString key, ByteString rangeEnd) {
            return root || (type == Permission.Type.READ ? read : write).covers(key, rangeEnd);
        }
    }

    public static AuthState of(Map<String, User> users, Map<String, Role> roles, long revision, boolean enabled) {
        Map<String, UserAccess> access = new HashMap<>();
        for (User u : users.values()) {
            List<Permission> perms = new ArrayList<>();
            for (String r : u.getRolesList()) {
                Role role = roles.get(r);
                if (role != null) {
                    perms.addAll(role.getKeyPermissionList());
                }
            }
            access.put(
                    u.getName().toStringUtf8(),
                    new UserAccess(
                            u.getRolesList().contains(ROOT),
                            RangePermissions.of(perms, Permission.Type.READ),
                            RangePermissions.of(perms, Permission.Type.WRITE)));
        }
        // users and roles stay sorted by name: listings answer in that order, as etcd's
        return new AuthState(
                Collections.unmodifiableSortedMap(new TreeMap<>(users)),
                Collections.unmodifiableSortedMap(new TreeMap<>(roles)),
                revision,
                enabled,
                Map.copyOf(access));
    }

    public boolean hasRole(String user, String role) {
        User u = users.get(user);
        return u != null && u.getRolesList().contains(role);
    }
}
