package io.etcdj.server.kv;

import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.mvccpb.KeyValue;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.KvReader;
import io.etcdj.server.mvcc.MvccException;
import java.util.Arrays;
import java.util.List;

/** A Txn's guards, evaluated as etcd does: every key in a compare's range must satisfy it. */
final class Compares {
    private Compares() {}

    static boolean all(KvReader reader, List<Compare> compares) {
        for (Compare c : compares) {
            if (!holds(reader, c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(KvReader reader, Compare c) {
        List<KeyValue> kvs;
        try {
            kvs = reader.range(
                            KeyRange.of(
                                    c.getKey().toByteArray(), c.getRangeEnd().toByteArray()),
                            0,
                            0,
                            false)
                    .kvs();
        } catch (MvccException e) {
            throw new IllegalStateException("reading at the current revision cannot fail", e);
        }
        if (kvs.isEmpty()) {
            // a missing key has no value to compare: a VALUE compare fails; others compare against zeros
            return c.getTarget() != Compare.CompareTarget.VALUE && holds(c, KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : kvs) {
            if (!holds(c, kv)) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(Compare c, KeyValue kv) {
        int result = switch (c.getTarget()) {
            case VALUE ->
                Integer.signum(Arrays.compareUnsigned(
                        kv.getValue().toByteArray(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.VALUE
                                ? c.getValue().toByteArray()
                                : new byte[0]));
            case CREATE ->
                Long.compare(
                        kv.getCreateRevision(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.CREATE_REVISION ? c.getCreateRevision() : 0);
            case MOD ->
                Long.compare(
                        kv.getModRevision(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.MOD_REVISION ? c.getModRevision() : 0);
            case VERSION ->
                Long.compare(
                        kv.getVersion(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.VERSION ? c.getVersion() : 0);
            case LEASE ->
                Long.compare(kv.getLease(), c.getTargetUnionCase() == Compare.TargetUnionCase.LEASE ? c.getLease() : 0);
            default -> 0;
        };
        return switch (c.getResult()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
            default -> true;
        };
    }
}
