package io.etcdj.server.kv;

import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.ResponseOp;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.etcdserverpb.TxnResponse;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.KvReader;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.PinnedReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.rocksdb.RocksDBException;

/**
 * A Txn as etcd runs it: every compare on the chosen path (nested Txns included) is decided first, against the
 * state before the Txn; then the chosen path is checked (leases, keys for ignore_value/ignore_lease, read
 * revisions); then its operations run in order, all at one revision.
 */
public final class TxnExecutor {
    private final KvOperations ops;

    public TxnExecutor(KvOperations ops) {
        this.ops = ops;
    }

    /** True when no operation on any branch writes: such a Txn needs no log entry. */
    static boolean isReadOnly(TxnRequest t) {
        return readOnly(t.getSuccessList()) && readOnly(t.getFailureList());
    }

    /** True when some operation on some branch (nested Txns included) is a put. */
    public static boolean hasPut(TxnRequest t) {
        return hasPut(t.getSuccessList()) || hasPut(t.getFailureList());
    }

    private static boolean hasPut(List<RequestOp> reqs) {
        for (RequestOp op : reqs) {
            if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_PUT
                    || op.getRequestCase() == RequestOp.RequestCase.REQUEST_TXN && hasPut(op.getRequestTxn())) {
                return true;
            }
        }
        return false;
    }

    private static boolean readOnly(List<RequestOp> reqs) {
        for (RequestOp op : reqs) {
            switch (op.getRequestCase()) {
                case REQUEST_PUT, REQUEST_DELETE_RANGE -> {
                    return false;
                }
                case REQUEST_TXN -> {
                    if (!isReadOnly(op.getRequestTxn())) {
                        return false;
                    }
                }
                default -> {}
            }
        }
        return true;
    }

    /**
     * Runs a Txn with writes in {@code txn}; the caller commits. Errors leave nothing to commit. Its responses
     * collect within {@code budget} (see {@link RangeExecutor#execute(KvReader, io.etcdj.api.etcdserverpb.RangeRequest,
     * ByteBudget)}).
     */
    public TxnResponse executeWrite(MvccWriteTxn txn, TxnRequest t, ByteBudget budget) throws RocksDBException {
        Deque<Boolean> path = path(txn, t);
        check(txn, t, new ArrayDeque<>(path), true);
        return run(txn, t, path, txn, budget);
    }

    /** Runs a read-only Txn against a read view. */
    static TxnResponse executeRead(KvReader current, TxnRequest t) {
        KvReader reader = PinnedReader.atCurrent(current); // compares and ranges all see one revision
        Deque<Boolean> path = path(reader, t);
        new TxnExecutor(null).check(reader, t, new ArrayDeque<>(path), false);
        ByteBudget budget = ByteBudget.perResponse();
        TxnResponse resp;
        try {
            resp = new TxnExecutor(null).run(reader, t, path, null, budget);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
        if (budget.exceeded()) {
            throw EtcdError.RESPONSE_TOO_LARGE.exception();
        }
        return resp;
    }

    private static Deque<Boolean> path(KvReader reader, TxnRequest t) {
        Deque<Boolean> path = new ArrayDeque<>();
        addPath(reader, t, path);
        return path;
    }

    private static void addPath(KvReader reader, TxnRequest t, Deque<Boolean> path) {
        boolean ok = Compares.all(reader, t.getCompareList());
        path.addLast(ok);
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_TXN) {
                addPath(reader, op.getRequestTxn(), path);
            }
        }
    }

    private void check(KvReader reader, TxnRequest t, Deque<Boolean> path, boolean writes) {
        boolean ok = path.removeFirst();
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> {
                    try {
                        reader.range(
                                KeyRange.of(op.getRequestRange().getKey().toByteArray(), null),
                                op.getRequestRange().getRevision(),
                                1,
                                true);
                    } catch (MvccException e) {
                        throw Errors.of(e);
                    }
                }
                case REQUEST_PUT -> {
                    EtcdError err = writes ? ops.checkPut((MvccWriteTxn) reader, op.getRequestPut()) : null;
                    if (err != null) {
                        throw err.exception();
                    }
                }
                case REQUEST_TXN -> check(reader, op.getRequestTxn(), path, writes);
                default -> {}
            }
        }
    }

    private TxnResponse run(KvReader reader, TxnRequest t, Deque<Boolean> path, MvccWriteTxn txn, ByteBudget budget)
            throws RocksDBException {
        boolean ok = path.removeFirst();
        List<ResponseOp> responses = new ArrayList<>();
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            ResponseOp.Builder r = ResponseOp.newBuilder();
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> {
                    try {
                        r.setResponseRange(RangeExecutor.execute(reader, op.getRequestRange(), budget));
                    } catch (MvccException e) {
                        throw Errors.of(e);
                    }
                }
                case REQUEST_PUT -> r.setResponsePut(ops.put(txn, op.getRequestPut()));
                case REQUEST_DELETE_RANGE ->
                    r.setResponseDeleteRange(ops.deleteRange(txn, op.getRequestDeleteRange(), budget));
                case REQUEST_TXN -> r.setResponseTxn(run(reader, op.getRequestTxn(), path, txn, budget));
                default -> throw new EtcdException(EtcdError.KEY_NOT_FOUND);
            }
            responses.add(r.build());
        }
        long revision = reader.currentRevision();
        return TxnResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(revision))
                .setSucceeded(ok)
                .addAllResponses(responses)
                .build();
    }
}
