package io.etcdj.server.auth;

import io.etcdj.server.mvcc.KeyCodec;
import java.util.Arrays;

/**
 * The auth records of the meta family for code outside this package that exports or imports a store (etcd
 * snapshots, whose authUsers/authRoles buckets hold the same authpb.User/Role bytes under the bare name). The layout
 * itself is {@link AuthStore}'s.
 */
public final class AuthRecords {
    private AuthRecords() {}

    /** The user name of a meta key, or null when it is not a user record. */
    public static byte[] userName(byte[] metaKey) {
        return KeyCodec.startsWith(metaKey, AuthStore.USER_PREFIX)
                ? Arrays.copyOfRange(metaKey, AuthStore.USER_PREFIX.length, metaKey.length)
                : null;
    }

    /** The role name of a meta key, or null when it is not a role record. */
    public static byte[] roleName(byte[] metaKey) {
        return KeyCodec.startsWith(metaKey, AuthStore.ROLE_PREFIX)
                ? Arrays.copyOfRange(metaKey, AuthStore.ROLE_PREFIX.length, metaKey.length)
                : null;
    }

    /** True for the meta key of the auth revision (a big-endian u64). */
    public static boolean isRevision(byte[] metaKey) {
        return Arrays.equals(metaKey, AuthStore.REVISION_KEY);
    }

    public static byte[] userKey(byte[] name) {
        return concat(AuthStore.USER_PREFIX, name);
    }

    public static byte[] roleKey(byte[] name) {
        return concat(AuthStore.ROLE_PREFIX, name);
    }

    public static byte[] revisionKey() {
        return AuthStore.REVISION_KEY.clone();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
