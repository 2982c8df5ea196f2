package io.etcdj.server.snapshot;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * etcd's bucket names and the encodings of its keys and values inside the bbolt file (etcd's, big-endian; bbolt's
 * own structures are little-endian).
 */
final class EtcdLayout {
    static final String KEY = "key";
    static final String META = "meta";
    static final String LEASE = "lease";
    static final String ALARM = "alarm";
    static final String AUTH = "auth";
    static final String AUTH_USERS = "authUsers";
    static final String AUTH_ROLES = "authRoles";
    static final String MEMBERS = "members";
    static final String MEMBERS_REMOVED = "members_removed";
    static final String CLUSTER = "cluster";
    /** Every bucket an etcd 3.4/3.5 backend has. */
    static final List<String> ALL_BUCKETS =
            List.of(ALARM, AUTH, AUTH_ROLES, AUTH_USERS, CLUSTER, KEY, LEASE, MEMBERS, MEMBERS_REMOVED, META);

    static final byte[] CONSISTENT_INDEX = bytes("consistent_index");
    static final byte[] SCHEDULED_COMPACT = bytes("scheduledCompactRev");
    static final byte[] FINISHED_COMPACT = bytes("finishedCompactRev");
    static final byte[] AUTH_ENABLED = bytes("authEnabled");
    static final byte[] AUTH_REVISION = bytes("authRevision");
    static final byte[] CLUSTER_VERSION = bytes("clusterVersion");
    /** The cluster version a snapshot declares: the oldest etcd that reads it (3.5 upgrades it on start). */
    static final byte[] CLUSTER_VERSION_VALUE = bytes("3.4.0");

    static final int REVISION_BYTES = 17;
    static final byte TOMBSTONE = 't';

    private EtcdLayout() {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A key-bucket key: main, '_', sub (big-endian), plus 't' for a deletion. */
    static byte[] revisionKey(long main, long sub, boolean tombstone) {
        byte[] k = new byte[tombstone ? REVISION_BYTES + 1 : REVISION_BYTES];
        putLongBE(k, 0, main);
        k[8] = '_';
        putLongBE(k, 9, sub);
        if (tombstone) {
            k[REVISION_BYTES] = TOMBSTONE;
        }
        return k;
    }

    static boolean isTombstone(byte[] revisionKey) {
        return revisionKey.length == REVISION_BYTES + 1 && revisionKey[REVISION_BYTES] == TOMBSTONE;
    }

    static long mainOf(byte[] revisionKey) {
        return longBE(revisionKey, 0);
    }

    static long subOf(byte[] revisionKey) {
        return longBE(revisionKey, 9);
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLongBE(b, 0, v);
        return b;
    }

    static void putLongBE(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long longBE(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFFL);
        }
        return v;
    }

    /** What etcd stores for a deletion: an mvccpb.KeyValue holding only the key. */
    static byte[] tombstoneValue(byte[] userKey) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(userKey.length + 6);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, userKey);
        out.flush();
        return bytes.toByteArray();
    }

    /** leasepb.Lease {1 ID, 2 TTL, 3 RemainingTTL}, zero fields omitted. */
    static byte[] leaseValue(long id, long ttlSeconds, long remainingTtlSeconds) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        if (id != 0) {
            out.writeInt64(1, id);
        }
        if (ttlSeconds != 0) {
            out.writeInt64(2, ttlSeconds);
        }
        if (remainingTtlSeconds != 0) {
            out.writeInt64(3, remainingTtlSeconds);
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** A decoded leasepb.Lease. */
    record EtcdLease(long id, long ttlSeconds, long remainingTtlSeconds) {}

    static EtcdLease parseLease(byte[] value) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(value);
        long id = 0;
        long ttl = 0;
        long remaining = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case 8 -> id = in.readInt64();
                case 16 -> ttl = in.readInt64();
                case 24 -> remaining = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        return new EtcdLease(id, ttl, remaining);
    }
}
