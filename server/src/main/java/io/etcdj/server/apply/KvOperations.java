package io.etcdj.server.apply;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeResponse;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.util.List;
import org.rocksdb.RocksDBException;

/**
 * Put and DeleteRange inside a write transaction, with etcd's checks and responses. A put with a lease attaches
 * the key to it (and detaches it from the lease it had); deleting a key detaches it.
 */
final class KvOperations {
    private final Lessor leases;

    KvOperations(Lessor leases) {
        this.leases = leases;
    }

    /** The checks etcd makes before a put changes anything; returns the error, or null when the put may go. */
    EtcdError checkPut(MvccWriteTxn txn, PutRequest p) {
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

    PutResponse put(MvccWriteTxn txn, PutRequest p) throws RocksDBException {
        byte[] key = p.getKey().toByteArray();
        KeyValue prev = txn.get(key);
        ByteString value = p.getIgnoreValue() && prev != null ? prev.getValue() : p.getValue();
        long lease = p.getIgnoreLease() && prev != null ? prev.getLease() : p.getLease();
        txn.put(key, value, lease);
        long prevLease = prev == null ? 0 : prev.getLease();
        if (prevLease != lease) {
            if (prevLease != 0) {
                leases.detach(txn, prevLease, key);
            }
            if (lease != 0) {
                leases.attach(txn, lease, key);
            }
        }
        PutResponse.Builder b = PutResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(txn.writeRevision()));
        if (p.getPrevKv() && prev != null) {
            b.setPrevKv(prev);
        }
        return b.build();
    }

    DeleteRangeResponse deleteRange(MvccWriteTxn txn, DeleteRangeRequest d) throws RocksDBException {
        List<KeyValue> deleted = txn.deleteRange(
                KeyRange.of(d.getKey().toByteArray(), d.getRangeEnd().toByteArray()));
        for (KeyValue kv : deleted) {
            if (kv.getLease() != 0) {
                leases.detach(txn, kv.getLease(), kv.getKey().toByteArray());
            }
        }
        DeleteRangeResponse.Builder b = DeleteRangeResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(txn.currentRevision()))
                .setDeleted(deleted.size());
        if (d.getPrevKv()) {
            b.addAllPrevKvs(deleted);
        }
        return b.build();
    }
}
