package io.etcdj.server.lease;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.internal.LeaseRecord;
import io.etcdj.server.mvcc.KeyCodec;
import java.io.IOException;
import java.util.Arrays;

/**
 * The lease column family's entries for code outside this package that exports or imports a store (etcd
 * snapshots): decodes lease records and builds the entries an import writes. The layout itself is
 * {@link LeaseStore}'s.
 */
public final class LeaseRecords {
    /** One lease: its ID, granted TTL and the remaining TTL at its last checkpoint. */
    public record Entry(long id, long ttlSeconds, long remainingMs) {}

    private LeaseRecords() {}

    /** The lease a raw entry of the lease family records, or null for an entry that is not a lease record. */
    public static Entry decode(byte[] key, byte[] value) throws IOException {
        if (key.length != 9 || !Arrays.equals(key, LeaseStore.recordKey(KeyCodec.getLong(key, 1)))) {
            return null;
        }
        long id = KeyCodec.getLong(key, 1);
        try {
            LeaseRecord r = LeaseRecord.parseFrom(value);
            return new Entry(id, r.getTtlSeconds(), r.getRemainingMs());
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("lease record " + Long.toHexString(id) + " is unreadable", e);
        }
    }

    /** The key of a lease record. */
    public static byte[] recordKey(long id) {
        return LeaseStore.recordKey(id);
    }

    /** The value of a lease record. */
    public static byte[] recordValue(long ttlSeconds, long remainingMs) {
        return LeaseRecord.newBuilder()
                .setTtlSeconds(ttlSeconds)
                .setRemainingMs(remainingMs)
                .build()
                .toByteArray();
    }

    /** The key saying {@code userKey} is attached to lease {@code id} (its value is empty). */
    public static byte[] attachmentKey(long id, byte[] userKey) {
        return LeaseStore.attachmentKey(id, userKey);
    }
}
