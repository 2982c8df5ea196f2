package io.etcdj.server.kv;

import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.mvcc.ByteBudget;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.KvReader;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.RangeQuery;
import io.etcdj.server.mvcc.RangeResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * A RangeRequest as etcd answers it: filters on mod/create revision, then sorting, then the limit; {@code count}
 * ignores the limit and {@code more} says whether the limit cut the result.
 */
public final class RangeExecutor {
    private RangeExecutor() {}

    /** Answers {@code r} within the default response budget; past it, etcd's answer to a too-large response. */
    public static RangeResponse execute(KvReader reader, RangeRequest r) throws MvccException {
        ByteBudget budget = ByteBudget.perResponse();
        RangeResponse resp = execute(reader, r, budget);
        if (budget.exceeded()) {
            throw EtcdError.RESPONSE_TOO_LARGE.exception();
        }
        return resp;
    }

    /**
     * Answers {@code r}, collecting at most {@code budget}: once it is exceeded the response is incomplete and the
     * caller must answer the error instead (a write Txn still commits: the budget never changes what is applied).
     */
    public static RangeResponse execute(KvReader reader, RangeRequest r, ByteBudget budget) throws MvccException {
        // filters are applied while scanning (same result as etcd's filtering after the read, without holding
        // what they drop); a sort order needs every kept key-value, else only the limit and one more are read (as
        // etcd, a sort target without an order sorts just those)
        boolean sorted = r.getSortOrder() != RangeRequest.SortOrder.NONE;
        long storeLimit = sorted || r.getLimit() <= 0 ? 0 : r.getLimit() + 1; // one extra tells "more"
        RangeQuery query = new RangeQuery(storeLimit, r.getCountOnly(), r.getKeysOnly(), filter(r), budget);
        RangeResult rr = reader.range(
                KeyRange.of(r.getKey().toByteArray(), r.getRangeEnd().toByteArray()), r.getRevision(), query);
        List<KeyValue> kvs = new ArrayList<>(rr.kvs());
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
        return RangeResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(rr.currentRevision()))
                .setCount(rr.count())
                .setMore(more)
                .addAllKvs(kvs)
                .build();
    }

    /** The request's mod/create revision bounds as one test (everything when it sets none). */
    private static Predicate<KeyValue> filter(RangeRequest r) {
        if (r.getMinModRevision() == 0
                && r.getMaxModRevision() == 0
                && r.getMinCreateRevision() == 0
                && r.getMaxCreateRevision() == 0) {
            return RangeQuery.ALL;
        }
        return kv -> (r.getMaxModRevision() == 0 || kv.getModRevision() <= r.getMaxModRevision())
                && (r.getMinModRevision() == 0 || kv.getModRevision() >= r.getMinModRevision())
                && (r.getMaxCreateRevision() == 0 || kv.getCreateRevision() <= r.getMaxCreateRevision())
                && (r.getMinCreateRevision() == 0 || kv.getCreateRevision() >= r.getMinCreateRevision());
    }

    private static Comparator<KeyValue> comparator(RangeRequest.SortTarget target) {
        return switch (target) {
            case VERSION -> byLong(KeyValue::getVersion);
            case CREATE -> byLong(KeyValue::getCreateRevision);
            case MOD -> byLong(KeyValue::getModRevision);
            case VALUE ->
                (a, b) -> Arrays.compareUnsigned(
                        a.getValue().toByteArray(), b.getValue().toByteArray());
            default ->
                (a, b) -> Arrays.compareUnsigned(
                        a.getKey().toByteArray(), b.getKey().toByteArray());
        };
    }

    private static Comparator<KeyValue> byLong(ToLongFunction<KeyValue> f) {
        return Comparator.comparingLong(f);
    }
}
