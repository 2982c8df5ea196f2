package io.etcdj.server.kv;

import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.server.mvcc.KvReader;
import java.util.List;

/** A Txn that writes nothing on either branch: served from the store without a log entry, as etcd does. */
public final class ReadOnlyTxn {
    private ReadOnlyTxn() {}

    public static boolean isReadOnly(TxnRequest t) {
        return TxnExecutor.isReadOnly(t);
    }

    /** True when every range in the Txn (both branches, nested too) asks for a serializable read. */
    public static boolean isSerializable(TxnRequest t) {
        return serializable(t.getSuccessList()) && serializable(t.getFailureList());
    }

    private static boolean serializable(List<RequestOp> ops) {
        for (RequestOp op : ops) {
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> {
                    if (!op.getRequestRange().getSerializable()) {
                        return false;
                    }
                }
                case REQUEST_TXN -> {
                    if (!isSerializable(op.getRequestTxn())) {
                        return false;
                    }
                }
                default -> {}
            }
        }
        return true;
    }

    public static TxnResponse execute(KvReader reader, TxnRequest t) {
        return TxnExecutor.executeRead(reader, t);
    }
}
