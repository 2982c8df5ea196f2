package io.etcdj.server.apply;

import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.KvReader;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.RangeResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A RangeRequest as etcd answers it: filters on mod/create revision, then sorting, then the limit; {@code count}
 * ignores the limit and {@code more} says whether the limit cut the result.
 */
public final class RangeExecutor {
    private RangeExecutor() {
    }

    public static RangeResponse execute(KvReader reader, RangeRequest r) throws MvccException {
        boolean fetchAll = r.getSortOrder() != RangeRequest.SortOrder.NONE
                || r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
        long storeLimit = fetchAll || r.getLimit() <= 0 ? 0 : r.getLimit() + 1; // one extra tells "more"
        RangeResult rr = reader.range(KeyRange.of(r.getKey().toByteArray(), r.getRangeEnd().toByteArray()),
                r.getRevision(), storeLimit, r.getCountOnly());
        List<KeyValue> kvs = new ArrayList<>(rr.kvs());
        if (r.getMaxModRevision() != 0) {
            kvs.removeIf(kv -> kv.getModRevision() > r.getMaxModRevision());
        }
        if (r.getMinModRevision() != 0) {
            kvs.removeIf(kv -> kv.getModRevision() < r.getMinModRevision());
        }
        if (r.getMaxCreateRevision() != 0) {
            kvs.removeIf(kv -> kv.getCreateRevision() > r.getMaxCreateRevision());
        }
        if (r.getMinCreateRevision() != 0) {
            kvs.removeIf(kv -> kv.getCreateRevision() < r.getMinCreateRevision());
        }
        RangeRequest.SortOrder order = r.getSortOrder();
        if (r.getSortTarget() != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND; // results come in key order; other targets sort ascending
        }
        if (order != RangeRequest.SortOrder.NONE) {
            Comparator<KeyValue> c = comparator(r.getSortTarget());
            kvs.sort(order == RangeRequest.SortOrder.DESCEND ? c.reversed() : c);
        }
        boolean more = false;
        if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
            kvs = kvs.subList(0, (int) r.getLimit());
            more = true;
        }
        RangeResponse.Builder b = RangeResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(rr.currentRevision()))
                .setCount(rr.count())
                .setMore(more);
        for (KeyValue kv : kvs) {
            b.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
        }
        return b.build();
    }

    private static Comparator<KeyValue> comparator(RangeRequest.SortTarget target) {
        return switch (target) {
            case VERSION -> byLong(KeyValue::getVersion);
            case CREATE -> byLong(KeyValue::getCreateRevision);
            case MOD -> byLong(KeyValue::getModRevision);
            case VALUE -> (a, b) -> Arrays.compareUnsigned(a.getValue().toByteArray(), b.getValue().toByteArray());
            default -> (a, b) -> Arrays.compareUnsigned(a.getKey().toByteArray(), b.getKey().toByteArray());
        };
    }

    private static Comparator<KeyValue> byLong(ToLongFunction<KeyValue> f) {
        return Comparator.comparingLong(f);
    }
}
