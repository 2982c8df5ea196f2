package io.etcdj.server.concurrency;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.mvccpb.KeyValue;

/**
 * The keys and requests of etcd's lock and election recipe. A lock or election named N keeps its waiters as the
 * keys {@code N/<lease in hex>} (one per lease); the holder (leader) is the key with the smallest create revision.
 * The names and the hex form are etcd's, so the Go client's concurrency package and the Lock and Election services
 * see the same keys.
 */
final class Keys {
    private Keys() {}

    /** {@code name + "/"}: the prefix of the waiters' keys. */
    static ByteString prefix(ByteString name) {
        return name.concat(ByteString.copyFromUtf8("/"));
    }

    /** A waiter's key: the prefix, then the lease ID in lower-case hex as Go's {@code %x} prints an int64. */
    static ByteString waiterKey(ByteString prefix, long lease) {
        String hex = lease < 0 ? "-" + Long.toUnsignedString(-lease, 16) : Long.toHexString(lease);
        return prefix.concat(ByteString.copyFromUtf8(hex));
    }

    /** The end of the range of keys starting with {@code prefix} (etcd's GetPrefixRangeEnd). */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0}); // all 0xff: every key from the prefix on
    }

    /** The oldest key under the prefix: the lock's holder, the election's leader. */
    static RangeRequest oldest(ByteString prefix) {
        return RangeRequest.newBuilder()
                .setKey(prefix)
                .setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE)
                .setSortOrder(RangeRequest.SortOrder.ASCEND)
                .setLimit(1)
                .build();
    }

    /** The youngest key under the prefix created at or before {@code maxCreateRevision}: the one to wait for. */
    static RangeRequest youngestUpTo(ByteString prefix, long maxCreateRevision) {
        return RangeRequest.newBuilder()
                .setKey(prefix)
                .setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE)
                .setSortOrder(RangeRequest.SortOrder.DESCEND)
                .setMaxCreateRevision(maxCreateRevision)
                .setLimit(1)
                .build();
    }

    static RangeRequest get(ByteString key) {
        return RangeRequest.newBuilder().setKey(key).build();
    }

    /** The compare "key has this create revision" (0: the key does not exist). */
    static Compare createdAt(ByteString key, long createRevision) {
        return Compare.newBuilder()
                .setKey(key)
                .setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL)
                .setCreateRevision(createRevision)
                .build();
    }

    static RequestOp putOp(ByteString key, ByteString value, long lease) {
        return RequestOp.newBuilder()
                .setRequestPut(
                        PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease))
                .build();
    }

    static RequestOp rangeOp(RangeRequest r) {
        return RequestOp.newBuilder().setRequestRange(r).build();
    }

    static RequestOp deleteOp(ByteString key) {
        return RequestOp.newBuilder()
                .setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key))
                .build();
    }

    /** The first key of a range answer, or null when it found none. */
    static KeyValue first(RangeResponse r) {
        return r.getKvsCount() == 0 ? null : r.getKvs(0);
    }
}
