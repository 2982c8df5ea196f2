package io.etcdj.server.kv;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;

/**
 * Put and DeleteRange inside a write transaction, with etcd's checks and responses. A put with a lease attaches
 * the key to it (and detaches it from the lease it had); deleting a key detaches it.
 */
public final class KvOperations {
    private final Lessor leases;

    public KvOperations(Lessor leases) {
        this.leases = leases;
    }

    /** The checks etcd makes before a put changes anything; returns the error, or null when the put may go. */
    public EtcdError checkPut(MvccWriteTxn txn, PutRequest p) {
        if (p.getIgnoreValue() || p.getIgnoreLease()) {
            if (txn.get(p.getKey().toByteArray()) == null) {
                return EtcdError.KEY_NOT_FOUND;
            }
        }
        if (p.getLease() != 0 && !leases.exists(p.getLease())) {
            return EtcdError.LEASE_NOT_FOUND;
        }
        return null;
    }

    public PutResponse put(MvccWriteTxn txn, PutRequest p) throws RocksDBException {
        byte[] key = p.getKey().toByteArray();
        KeyValue prev = txn.get(key);
        ByteString value = p.getIgnoreValue() && prev != null ? prev.getValue() : p.getValue();
        long lease = p.getIgnoreLease() && prev != null ? prev.getLease() : p.getLease();
        txn.put(key, value, lease); // moves the key's lease attachment too
        PutResponse.Builder b =
                PutResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(txn.writeRevision()));
        if (p.getPrevKv() && prev != null) {
            b.setPrevKv(prev);
        }
        return b.build();
    }

    /**
     * Deletes the range in bounded memory; the deleted versions are kept for the response only when the client asked
     * for them, within {@code budget} (past it the delete still happens, and the client gets an error instead).
     */
    public DeleteRangeResponse deleteRange(MvccWriteTxn txn, DeleteRangeRequest d, ByteBudget budget)
            throws RocksDBException {
        List<KeyValue> prevKvs = new ArrayList<>();
        long deleted = txn.deleteRange(
                KeyRange.of(d.getKey().toByteArray(), d.getRangeEnd().toByteArray()), kv -> {
                    if (d.getPrevKv() && budget.take(kv.getSerializedSize())) {
                        prevKvs.add(kv);
                    }
                });
        DeleteRangeResponse.Builder b = DeleteRangeResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(txn.currentRevision()))
                .setDeleted(deleted);
        if (d.getPrevKv() && !budget.exceeded()) {
            b.addAllPrevKvs(prevKvs);
        }
        return b.build();
    }
}
