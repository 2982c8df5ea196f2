package io.etcdj.server.mvcc;

import io.etcdj.api.mvccpb.KeyValue;
import java.util.function.Predicate;

/**
 * What a range read collects besides the count: at most {@code limit} key-values (0 = no limit) that {@code keep}
 * accepts (none when {@code countOnly}; without their values when {@code keysOnly}), within {@code budget}. The count is of every live key in the range,
 * whatever the limit, filter or budget.
 */
public record RangeQuery(long limit, boolean countOnly, boolean keysOnly, Predicate<KeyValue> keep, ByteBudget budget) {
    public static final Predicate<KeyValue> ALL = kv -> true;

    /** Up to {@code limit} key-values, the default response budget. */
    public static RangeQuery of(long limit, boolean countOnly) {
        return new RangeQuery(limit, countOnly, false, ALL, ByteBudget.perResponse());
    }
}
