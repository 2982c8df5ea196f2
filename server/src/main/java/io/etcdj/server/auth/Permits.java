package io.etcdj.server.auth;

import com.google.protobuf.ByteString;
import io.etcdj.api.authpb.Permission;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.server.common.EtcdError;
import java.util.List;

/**
 * etcd's access rules, decided on one auth state: each method returns normally when the caller may go on and
 * throws the EtcdException etcd gives otherwise. With auth disabled everything is allowed.
 */
public final class Permits {
    private Permits() {}

    /** Access of {@code type} to the key, or the range [key, rangeEnd). */
    public static void requireKeys(
            AuthState s, AuthInfo caller, Permission.Type type, ByteString key, ByteString rangeEnd) {
        if (!s.enabled()) {
            return;
        }
        if (caller.revision() == 0) {
            throw EtcdError.USER_EMPTY.exception();
        }
        if (caller.revision() < s.revision()) {
            throw EtcdError.AUTH_OLD_REVISION.exception(); // the rules changed since the credentials were checked
        }
        AuthState.UserAccess access = s.access().get(caller.user());
        if (access == null || !access.covers(type, key, rangeEnd)) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
    }

    public static void requireRead(AuthState s, AuthInfo caller, ByteString key, ByteString rangeEnd) {
        requireKeys(s, caller, Permission.Type.READ, key, rangeEnd);
    }

    public static void requireWrite(AuthState s, AuthInfo caller, ByteString key, ByteString rangeEnd) {
        requireKeys(s, caller, Permission.Type.WRITE, key, rangeEnd);
    }

    /** The root role: the auth RPCs, member changes and the maintenance RPCs that read or rewrite everything. */
    public static void requireAdmin(AuthState s, AuthInfo caller) {
        if (!s.enabled()) {
            return;
        }
        if (caller.anonymous()) {
            throw EtcdError.USER_EMPTY.exception();
        }
        if (!s.users().containsKey(caller.user())) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        if (!s.access().get(caller.user()).root()) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
    }

    /** Read access for every compare, and each operation's access in both branches, nested transactions too. */
    public static void requireTxn(AuthState s, AuthInfo caller, TxnRequest txn) {
        if (!s.enabled()) {
            return;
        }
        for (var c : txn.getCompareList()) {
            requireRead(s, caller, c.getKey(), c.getRangeEnd());
        }
        requireOps(s, caller, txn.getSuccessList());
        requireOps(s, caller, txn.getFailureList());
    }

    private static void requireOps(AuthState s, AuthInfo caller, List<RequestOp> ops) {
        for (RequestOp op : ops) {
            switch (op.getRequestCase()) {
                case REQUEST_RANGE ->
                    requireRead(
                            s,
                            caller,
                            op.getRequestRange().getKey(),
                            op.getRequestRange().getRangeEnd());
                case REQUEST_PUT -> {
                    requireWrite(s, caller, op.getRequestPut().getKey(), ByteString.EMPTY);
                    if (op.getRequestPut().getPrevKv()) {
                        requireRead(s, caller, op.getRequestPut().getKey(), ByteString.EMPTY);
                    }
                }
                case REQUEST_DELETE_RANGE -> {
                    var d = op.getRequestDeleteRange();
                    if (d.getPrevKv()) {
                        requireRead(s, caller, d.getKey(), d.getRangeEnd());
                    }
                    requireWrite(s, caller, d.getKey(), d.getRangeEnd());
                }
                case REQUEST_TXN -> requireTxn(s, caller, op.getRequestTxn());
                case REQUEST_NOT_SET -> {}
            }
        }
    }

    /** Write access to every key now attached to a lease: revoking it (or attaching more) deletes them. */
    public static void requireLeaseKeys(AuthState s, AuthInfo caller, Iterable<ByteString> keys) {
        for (ByteString k : keys) {
            requireWrite(s, caller, k, ByteString.EMPTY);
        }
    }
}
