package io.etcdj.server.lease;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.internal.LeaseRecord;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.KeyCodec;
import io.etcdj.server.mvcc.LeaseAttachments;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.RocksBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The lease column family's layout: {@code 'l' + id} (8 bytes, big-endian) holds a {@link LeaseRecord};
 * {@code 'k' + id + user key} (empty value) says the key is attached to the lease. Attachments are ordered by key
 * within a lease, so a revoke deletes them in key order, as etcd does.
 */
final class LeaseStore {
    private static final byte RECORD = 'l';
    private static final int PREFIX_BYTES = 9;
    private static final byte[] EMPTY = new byte[0];

    private LeaseStore() {}

    static byte[] recordKey(long id) {
        return prefixed(RECORD, id, EMPTY);
    }

    static byte[] attachmentPrefix(long id) {
        return LeaseAttachments.prefix(id);
    }

    static byte[] attachmentKey(long id, byte[] userKey) {
        return LeaseAttachments.key(id, userKey);
    }

    /** The user key of an attachment entry. */
    static byte[] userKey(byte[] attachmentKey) {
        return LeaseAttachments.userKey(attachmentKey);
    }

    private static byte[] prefixed(byte kind, long id, byte[] rest) {
        byte[] k = new byte[PREFIX_BYTES + rest.length];
        k[0] = kind;
        KeyCodec.putLong(k, 1, id);
        System.arraycopy(rest, 0, k, PREFIX_BYTES, rest.length);
        return k;
    }

    static void putRecord(MvccWriteTxn txn, long id, long ttlSeconds, long remainingMs) throws RocksDBException {
        txn.putLeaseRecord(
                recordKey(id),
                LeaseRecord.newBuilder()
                        .setTtlSeconds(ttlSeconds)
                        .setRemainingMs(remainingMs)
                        .build()
                        .toByteArray());
    }

    /** Every lease record in the store, by ID. */
    static Map<Long, LeaseRecord> loadRecords(RocksBackend backend) {
        Map<Long, LeaseRecord> records = new LinkedHashMap<>();
        byte[] prefix = {RECORD};
        try (RocksBackend.Pin p = backend.pin();
                RocksIterator it = backend.db().newIterator(backend.leases())) {
            for (it.seek(prefix); it.isValid() && it.key()[0] == RECORD; it.next()) {
                long id = KeyCodec.getLong(it.key(), 1);
                try {
                    records.put(id, LeaseRecord.parseFrom(it.value()));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("lease record " + Long.toHexString(id) + " is unreadable", e);
                }
            }
        }
        return records;
    }

    /**
     * The keys attached to lease {@code id}, in key order, as the store holds them now; stops early once
     * {@code budget} is spent (it then says so).
     */
    static List<ByteString> attachedKeys(RocksBackend backend, long id, ByteBudget budget) {
        byte[] prefix = attachmentPrefix(id);
        List<ByteString> keys = new ArrayList<>();
        try (RocksBackend.Pin p = backend.pin();
                RocksIterator it = backend.db().newIterator(backend.leases())) {
            for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                byte[] key = userKey(it.key());
                if (!budget.take(key.length)) {
                    break;
                }
                keys.add(ByteString.copyFrom(key));
            }
        }
        return keys;
    }
}
